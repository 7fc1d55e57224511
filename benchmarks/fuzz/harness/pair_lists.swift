// libFuzzer harness: the evaluation list parsers. The first byte picks the parser (LFW pairs, TSV/CSV pairs,
// labelled image list); the rest is the file's text. Any input must parse or throw PairList.FormatError.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func pairListsFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 1, count: size - 1), as: UTF8.self)
    do {
        switch data[0] % 3 {
        case 0:
            let list = try PairList.parseLFW(text, file: "pairs.txt", root: "/lfw")
            precondition(!list.entries.isEmpty)
            if let folds = list.declaredFolds { precondition(folds >= 2 && list.entries.count % folds == 0) }
        case 1:
            let list = try PairList.parseTSV(text, file: "pairs.tsv", root: "/root")
            precondition(!list.entries.isEmpty)
        default:
            let list = try LabeledImageList.parse(text, file: "list.tsv", root: "/root")
            precondition(!list.entries.isEmpty)
        }
    } catch is PairList.FormatError {
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    return 0
}
