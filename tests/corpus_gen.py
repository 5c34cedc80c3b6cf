"""Generate a small mixed-format corpus for the ``docmend corpus`` tests and benchmark.

:func:`build_corpus` writes, under one folder, an ``input/`` tree and a ``references/`` folder and
returns a :class:`CorpusSpec` saying what each input file is: which reference it should be matched
to (if any), which earlier file it duplicates (if any), whether it is broken, and which files are
not supported at all.

The text is generated from the Han characters of the shipped reference sample, drawn at random
(seeded), so two generated documents share next to no 5-gram and only the intended pairs are
similar. Scraped-style documents carry the 第一文库网 share header, their paragraphs flattened into
chunks that start with ``1、`` ``2、`` mid-word, half-width punctuation, numbers masked as ``*`` and
names deleted, like the shipped sample.
"""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SCRAPED_SAMPLE = SAMPLES / "wangxin_scraped_diyiwenku.txt"
REFERENCE_SAMPLE = SAMPLES / "wangxin_reference.txt"
sys.path.insert(0, str(Path(__file__).resolve().parent))

NAMES = ("张建国", "李红梅", "王志强", "刘德华", "陈国平", "赵立新", "周海涛", "孙明远")
HEADER = "《{title}.docx》由会员分享,可在线阅读,更多相关《{title}.docx(5页珍藏版)》请在第一文库网上搜索。"


@dataclass(slots=True)
class DocSpec:
    """What one generated input file is expected to give."""

    reference: str | None = None
    duplicate_of: str | None = None
    broken: bool = False


@dataclass(slots=True)
class CorpusSpec:
    """The generated corpus: where it is and what each input file (by path relative to ``input``) is."""

    input: Path
    references: Path
    docs: dict[str, DocSpec] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)

    @property
    def matched(self) -> dict[str, str]:
        """Input file → the reference file it must be matched to."""
        return {name: spec.reference for name, spec in self.docs.items() if spec.reference}

    @property
    def duplicates(self) -> dict[str, str]:
        """Input file → the input file it duplicates (the first one in source order)."""
        return {name: spec.duplicate_of for name, spec in self.docs.items() if spec.duplicate_of}


class TextMaker:
    """Seeded random Chinese-looking text from the characters of the reference sample."""

    def __init__(self, seed: int) -> None:
        """A maker whose output depends on ``seed`` only."""
        self.rng = random.Random(seed)
        text = REFERENCE_SAMPLE.read_text(encoding="utf-8")
        self.chars = sorted(set(regex.findall(r"\p{Han}", text)))

    def phrase(self, low: int = 6, high: int = 16) -> str:
        """Random Han characters, ``low`` to ``high`` of them."""
        return "".join(self.rng.choice(self.chars) for _ in range(self.rng.randint(low, high)))

    def paragraph(self, *, numbers: bool = False, name: bool = False) -> str:
        """Two to four sentences; optionally with a date in digits and a person's name."""
        sentences = []
        for _ in range(self.rng.randint(2, 4)):
            clauses = [self.phrase() for _ in range(self.rng.randint(1, 3))]
            sentences.append("，".join(clauses) + "。")
        if numbers:
            sentences.insert(
                1,
                f"{self.rng.randint(2001, 2024)}年{self.rng.randint(1, 12)}月召开了第{self.rng.randint(2, 30)}次会议。",
            )
        if name:
            sentences.insert(0, f"{self.rng.choice(NAMES)}同志指出，{self.phrase()}。")
        return "".join(sentences)

    def document(self, paragraphs: int, *, scraped_style: bool = False) -> list[str]:
        """A title line and ``paragraphs`` paragraphs (with numbers and names if ``scraped_style``)."""
        lines = [self.phrase(6, 12)]
        for _ in range(paragraphs):
            lines.append(self.paragraph(numbers=scraped_style, name=scraped_style))
        return lines


def scrape(title: str, paragraphs: list[str], *, chunk: int = 180) -> list[str]:
    """What a sharing site's preview of ``paragraphs`` looks like: header, masked, flattened, chunked."""
    body = title + "".join(paragraphs)
    body = regex.sub(r"\d+", "*", body)
    for name in NAMES:
        body = body.replace(name + "同志", "")
    body = body.replace("，", ",").replace("；", ";")
    lines = [HEADER.format(title=title)]
    for number, start in enumerate(range(0, len(body), chunk), start=1):
        lines.append(f"{number}、{body[start : start + chunk]}")
    return lines


def write_txt(path: Path, lines: list[str], encoding: str = "utf-8") -> None:
    """Lines as a text file in ``encoding``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


def write_any(path: Path, lines: list[str]) -> None:
    """Write ``lines`` in the format the suffix (and ``.gbk.txt``) asks for."""
    from fixtures_build import build_docx, build_html, build_pdf

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gbk.txt"):
        write_txt(path, lines, "gbk")
    elif path.suffix == ".txt":
        write_txt(path, lines)
    elif path.suffix in (".html", ".htm"):
        build_html(path, lines, boilerplate=False)
    elif path.suffix == ".docx":
        build_docx(path, lines)
    elif path.suffix == ".pdf":
        build_pdf(path, lines, footer_pages=False)
    else:
        raise ValueError(path)


def _suffix(index: int, pdfs: int) -> str:
    if index < pdfs:
        return ".pdf"
    return (".txt", ".txt", ".txt", ".gbk.txt", ".html", ".docx", ".txt", ".htm")[index % 8]


def build_corpus(
    base: Path,
    *,
    plain: int = 180,
    families: int = 8,
    distractors: int = 6,
    duplicates: int = 8,
    pdfs: int = 2,
    seed: int = 7,
) -> CorpusSpec:
    """Write the corpus under ``base`` and return its spec.

    ``plain`` unrelated documents (mixed formats, ``pdfs`` of them PDF, a few in a subfolder);
    ``families`` references with two scraped previews each (plus the shipped sample pair);
    ``distractors`` references nothing matches; ``duplicates`` exact copies and as many near copies
    of plain documents; a binary-junk .txt, a truncated .docx and two unsupported files.
    """
    maker = TextMaker(seed)
    spec = CorpusSpec(base / "input", base / "references")
    spec.input.mkdir(parents=True, exist_ok=True)
    spec.references.mkdir(parents=True, exist_ok=True)
    _add_families(maker, spec, families)
    for number in range(distractors):
        write_txt(spec.references / f"distractor-{number:02d}.txt", maker.document(8, scraped_style=True))
    plains = _add_plain(maker, spec, plain, pdfs)
    _add_duplicates(maker, spec, plains, duplicates)
    _add_broken(spec)
    return spec


def _add_families(maker: TextMaker, spec: CorpusSpec, families: int) -> None:
    shutil.copy(REFERENCE_SAMPLE, spec.references / "ref-sample.txt")
    shutil.copy(SCRAPED_SAMPLE, spec.input / "scraped-sample.txt")
    spec.docs["scraped-sample.txt"] = DocSpec(reference="ref-sample.txt")
    formats = (".txt", ".docx", ".html", ".gbk.txt")
    for family in range(families):
        reference = maker.document(10, scraped_style=True)
        ref_name = f"ref-{family:02d}" + (".docx" if family % 3 == 2 else ".txt")
        write_any(spec.references / ref_name, reference)
        title, paragraphs = reference[0], reference[1:]
        for part, (start, stop) in enumerate(((0, 4), (5, 10))):
            name = f"scraped-{family:02d}-{part}{formats[(family + part) % len(formats)]}"
            write_any(spec.input / name, scrape(title, paragraphs[start:stop]))
            spec.docs[name] = DocSpec(reference=ref_name)


def _add_plain(maker: TextMaker, spec: CorpusSpec, plain: int, pdfs: int) -> list[tuple[str, list[str]]]:
    plains = []
    for number in range(plain):
        folder = "sub/" if number % 10 == 9 else ""
        name = f"{folder}doc-{number:04d}{_suffix(number, pdfs)}"
        lines = maker.document(maker.rng.randint(2, 6))
        write_any(spec.input / name, lines)
        spec.docs[name] = DocSpec()
        if not folder and name.endswith(".txt") and not name.endswith(".gbk.txt") and len("".join(lines)) > 300:
            plains.append((name, lines))
    return plains


def _add_duplicates(maker: TextMaker, spec: CorpusSpec, plains: list[tuple[str, list[str]]], count: int) -> None:
    for number, (name, lines) in enumerate(plains[:count]):
        copy = f"zz-exact-{number:02d}" + (".txt" if number % 2 else ".docx")
        write_any(spec.input / copy, lines)
        spec.docs[copy] = DocSpec(duplicate_of=name)
    for number, (name, lines) in enumerate(plains[count : 2 * count]):
        changed = list(lines)
        longest = max(range(1, len(changed)), key=lambda i: len(changed[i]))
        changed[longest] = changed[longest][:-3] + maker.phrase(2, 2) + "。"
        near = f"zz-near-{number:02d}.txt"
        write_any(spec.input / near, changed)
        spec.docs[near] = DocSpec(duplicate_of=name)


def _add_broken(spec: CorpusSpec) -> None:
    junk = random.Random(3).randbytes(4000)
    (spec.input / "broken-junk.txt").write_bytes(b"\x00\x01\x02" + junk)
    spec.docs["broken-junk.txt"] = DocSpec(broken=True)
    whole = spec.input / "broken-whole.docx"
    write_any(whole, ["完整的文档。"] * 3)
    data = whole.read_bytes()
    whole.unlink()
    (spec.input / "broken-truncated.docx").write_bytes(data[: len(data) // 2])
    spec.docs["broken-truncated.docx"] = DocSpec(broken=True)
    (spec.input / "notes.md").write_text("# notes\n", encoding="utf-8")
    (spec.input / "sub" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    spec.unsupported = ["notes.md", "sub/image.png"]


class FlakyWorker:
    """A stand-in per-document callable for engine tests: the task's ``source`` says how to misbehave.

    ``ok:…`` answers at once, ``loop:…`` spins in Python (stopped by the time limit), ``stuck:…``
    blocks SIGALRM and sleeps (the parent has to kill the worker), ``crash:…`` exits the process.
    """

    def __init__(self, config: object) -> None:
        """Keep the config (the time limit is taken from it)."""
        self.config = config

    def __call__(self, task: dict) -> dict:
        """The result for one fake task."""
        import os
        import signal
        import time

        from pipeline.corpus.worker import DocumentTimeout, error_result, time_limit

        kind = task["source"].split(":")[0]
        try:
            with time_limit(self.config.timeout):
                if kind == "loop":
                    while True:
                        sum(range(1000))
                if kind == "stuck":
                    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                    time.sleep(60)
                if kind == "crash":
                    os._exit(3)
        except DocumentTimeout:
            return error_result(task, "timeout", f"timed out after {self.config.timeout:g} s")
        record = {"id": task["id"], "source": task["source"], "text": "ok", "duplicate_of": None}
        return {**error_result(task, "none", ""), "record": record, "error": None, "pid": os.getpid()}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-sample")
    made = build_corpus(target)
    print(f"{len(made.docs)} documents under {made.input}, references under {made.references}")
