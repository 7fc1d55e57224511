import Foundation

/// Files that hold a secret (the template key, the site signing key): mode 0600 in a 0700 folder, refused when
/// group or others may read them, never overwritten by a second creator, and overwritten before they are replaced.
public enum SecretFile {
    /// Reads a secret file's text, trimmed; refuses one readable by group or others.
    ///
    /// - Parameter what: Names the file in errors ("template key file", "site signing key").
    public static func read(_ path: String, what: String) throws -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw StoreError.keyFile(path, what: what, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        if info.st_mode & 0o077 != 0 {
            throw StoreError.keyFile(path, what: what,
                                     reason: "is readable by others (mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 on it")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw StoreError.keyFile(path, what: what, reason: "cannot read") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates a secret file holding `text` (mode 0600; its folder 0700 when made here).
    ///
    /// - Returns: `false` when the file already exists (another process made it a moment ago): nothing is written.
    @discardableResult
    public static func create(_ path: String, text: String, what: String) throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StoreError.keyFile(path, what: what, reason: "cannot create its directory: \(error.localizedDescription)")
            }
        }
        // O_EXCL: never overwrite a key another process created a moment ago.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { return false }
            throw StoreError.keyFile(path, what: what, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            throw StoreError.keyFile(path, what: what, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// Overwrites the file's bytes with random ones and syncs, then removes it. The old secret is then gone from the
    /// file system as far as a program can make it (a journalling or copy-on-write file system, a snapshot or a
    /// backup may still hold a copy: say so to the operator).
    public static func destroy(_ path: String, what: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw StoreError.keyFile(path, what: what, reason: "cannot open to destroy: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        fstat(fd, &info)
        var noise = [UInt8](repeating: 0, count: max(Int(info.st_size), 64))
        var generator = SystemRandomNumberGenerator()
        for i in noise.indices { noise[i] = generator.next() }
        let written = pwrite(fd, noise, noise.count, 0)
        let synced = fsync(fd)
        close(fd)
        guard written == noise.count, synced == 0 else {
            throw StoreError.keyFile(path, what: what, reason: "cannot overwrite: \(String(cString: strerror(errno)))")
        }
        guard unlink(path) == 0 else { throw StoreError.keyFile(path, what: what, reason: "cannot remove: \(String(cString: strerror(errno)))") }
    }

    /// Moves `source` onto `destination` in one step (rename), then syncs the folder so the move survives a crash.
    public static func move(_ source: String, to destination: String, what: String) throws {
        guard rename(source, destination) == 0 else {
            throw StoreError.keyFile(destination, what: what, reason: "cannot move \(source) into place: \(String(cString: strerror(errno)))")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
