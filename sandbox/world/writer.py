"""Sorted JSONL output without holding the world in memory.

Records arrive in generation order (person by person). Each line goes to a shard per output
file and reporting-independent UTC month of its sort key; at the end every shard is sorted in
memory (one month of one file at a time) and appended to the final file.
"""

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

FLUSH_LINES = 200_000


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class ShardedSortedWriter:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.shard_dir = out_dir / ".shards"
        self.shard_dir.mkdir(parents=True, exist_ok=True)
        self._buffers: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._buffered = 0
        self._shards: dict[str, set[str]] = defaultdict(set)
        self.counts: dict[str, int] = defaultdict(int)

    def write(
        self, relpath: str, sort_key: str, record: dict[str, Any], counted: bool = True
    ) -> None:
        """sort_key must order lexicographically as the file must be sorted; no tabs in it."""
        self._buffers[(relpath, sort_key[:7])].append(f"{sort_key}\t{dumps(record)}\n")
        self._shards[relpath].add(sort_key[:7])
        if counted:
            self.counts[relpath] += 1
        else:
            self.counts.setdefault(relpath, 0)
        self._buffered += 1
        if self._buffered >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        for (relpath, month), lines in self._buffers.items():
            with self._shard_path(relpath, month).open("a", encoding="utf-8") as handle:
                handle.writelines(lines)
        self._buffers.clear()
        self._buffered = 0

    def _shard_path(self, relpath: str, month: str) -> Path:
        return self.shard_dir / f"{relpath.replace('/', '__')}.{month}"

    def finish(self) -> None:
        self.flush()
        for relpath in sorted(self._shards):
            target = self.out_dir / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8") as out:
                for month in sorted(self._shards[relpath]):
                    shard = self._shard_path(relpath, month)
                    with shard.open(encoding="utf-8") as handle:
                        lines = handle.readlines()
                    lines.sort()  # the key prefix makes plain string order the file order
                    out.writelines(line.split("\t", 1)[1] for line in lines)
                    del lines
        shutil.rmtree(self.shard_dir)
