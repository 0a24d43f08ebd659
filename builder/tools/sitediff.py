"""Compare two built sites file by file: `python -m builder.tools.sitediff SITE_A SITE_B`.

Prints every file only in one of them and, for each file that differs, its first
differing line in both; exit status 1 when they differ. Used to check that a change to
how pages are rendered (the csr-html plugin, the incremental site step) leaves the site
as it was. Files whose names start with a dot (the build's own stamp) are left out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Difference:
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.detail}"


def site_files(site: Path) -> dict[str, Path]:
    return {p.relative_to(site).as_posix(): p for p in sorted(site.rglob("*"))
            if p.is_file() and not any(part.startswith(".")
                                       for part in p.relative_to(site).parts)}


def first_difference(a: bytes, b: bytes) -> str:
    lines_a, lines_b = a.split(b"\n"), b.split(b"\n")
    for number, (left, right) in enumerate(zip(lines_a, lines_b, strict=False), start=1):
        if left != right:
            return f"line {number}: {left[:160]!r} != {right[:160]!r}"
    return f"{len(lines_a)} line(s) != {len(lines_b)} line(s)"


def diff_sites(a: Path, b: Path) -> list[Difference]:
    """Every difference between the sites a and b (empty: byte-identical)."""
    files_a, files_b = site_files(a), site_files(b)
    found = [Difference(rel, f"only in {a}") for rel in sorted(set(files_a) - set(files_b))]
    found += [Difference(rel, f"only in {b}") for rel in sorted(set(files_b) - set(files_a))]
    for rel in sorted(set(files_a) & set(files_b)):
        left, right = files_a[rel].read_bytes(), files_b[rel].read_bytes()
        if left != right:
            found.append(Difference(rel, first_difference(left, right)))
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m builder.tools.sitediff SITE_A SITE_B", file=sys.stderr)
        return 2
    found = diff_sites(Path(argv[0]), Path(argv[1]))
    for difference in found:
        print(difference)
    print(f"{len(found)} file(s) differ" if found else "identical", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
