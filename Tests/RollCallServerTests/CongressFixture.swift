import Foundation
import RollCall
import RollCallStore

/// A 40-delegate congress in four delegations, opened with a two-thirds quorum (27 of 40), every status present:
/// what the dashboard, greeting and document tests show. No templates: pages need none.
///
/// | đoàn | delegates | present | left | absent | excused |
/// |---|---|---|---|---|---|
/// | Đoàn Hà Nội | 12 | 10 | 1 | 1 | 0 |
/// | Đoàn TP. Hồ Chí Minh | 12 | 9 | 0 | 2 | 1 |
/// | Đoàn Thừa Thiên Huế | 8 | 6 | 0 | 2 | 0 |
/// | Đoàn Cần Thơ | 8 | 1 | 1 | 5 | 1 |
///
/// 26 present now: one short of the quorum, so one more check-in reaches it.
enum CongressFixture {
    struct Unit { var name: String; var size: Int; var present: Int; var left: Int; var excused: Int }

    static let units = [
        Unit(name: "Đoàn Hà Nội", size: 12, present: 10, left: 1, excused: 0),
        Unit(name: "Đoàn TP. Hồ Chí Minh", size: 12, present: 9, left: 0, excused: 1),
        Unit(name: "Đoàn Thừa Thiên Huế", size: 8, present: 6, left: 0, excused: 0),
        Unit(name: "Đoàn Cần Thơ", size: 8, present: 1, left: 1, excused: 1),
    ]

    private static let surnames = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
    private static let middles = ["Văn", "Thị", "Hoàng", "Minh", "Thị Thu", "Quốc", "Ngọc", "Đức", "Thanh", "Hữu"]
    private static let givens = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hường", "Khánh", "Lâm", "Mai", "Nam", "Oanh", "Phúc",
                                 "Quỳnh", "Sơn", "Tâm", "Tuyết", "Uyên", "Việt", "Yến", "Ánh", "Đạt", "Hiếu", "Ưng"]

    /// The longest name on the roster (the sign-in sheet must keep it on one line).
    static let longName = "Tôn Nữ Thị Phương Thảo Nguyên Khánh Linh"

    /// Delegate `index` (1-based) of the roster: id `ĐB-001`…, name, delegation, seat.
    static func delegate(_ index: Int) -> (id: String, name: String, unit: String, seat: String) {
        var remaining = index - 1
        var unit = units[0]
        for candidate in units {
            if remaining < candidate.size { unit = candidate; break }
            remaining -= candidate.size
        }
        let name = index == 5 ? longName
            : "\(surnames[index % surnames.count]) \(middles[(index / 3) % middles.count]) \(givens[(index * 7) % givens.count])"
        return (String(format: "ĐB-%03d", index), name, unit.name, "\(["A", "B", "C", "D"][units.firstIndex { $0.name == unit.name }!])\(remaining + 1)")
    }

    static let size = units.reduce(0) { $0 + $1.size }
    static let opened = Date(timeIntervalSince1970: 1_779_928_200)  // 28/05/2026 00:30 UTC = 07:30 in Hà Nội

    /// The congress in a fresh store in `directory`.
    static func make(in directory: URL) throws -> (store: RollCallStore, session: SessionInfo) {
        let store = try ServerFixtures.openStore(in: directory)
        let csv = directory.appendingPathComponent("danh-sach.csv")
        let rows = (1...size).map { i -> String in
            let d = delegate(i)
            return "\(d.id);\(d.name);\(d.unit);\(d.seat)"
        }
        try ("Mã đại biểu;Họ và tên;Đoàn;Ghế\n" + rows.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        _ = try store.importRoster(try Roster.load(path: csv.path))
        let session = try store.openSession(name: "Đại hội đại biểu lần thứ XVII — phiên khai mạc", quorum: .atLeast(2, 3), at: opened)
        var index = 1
        var minute = 0.0
        for unit in units {
            for position in 0..<unit.size {
                let id = delegate(index).id
                minute += 1
                let at = opened.addingTimeInterval(minute * 60)
                if position < unit.present + unit.left {
                    try store.confirmPresence(session: session.id, delegateID: id, gate: position % 2 == 0 ? "cong-chinh" : "cong-phu",
                                              distance: 0.3, at: at)
                    if position >= unit.present {
                        _ = try store.checkout(delegateID: id, reason: "về sớm: họp đột xuất", at: at.addingTimeInterval(3600))
                    }
                } else if position < unit.present + unit.left + unit.excused {
                    _ = try store.checkout(delegateID: id, reason: "công tác nước ngoài, có đơn xin phép", at: opened)
                }
                index += 1
            }
        }
        return (store, session)
    }

    /// The first delegate still absent in Cần Thơ (checked in by the tests that reach the quorum).
    static var firstAbsentInCanTho: String {
        let start = units.prefix(3).reduce(0) { $0 + $1.size }
        let unit = units[3]
        return delegate(start + unit.present + unit.left + unit.excused + 1).id
    }
}
