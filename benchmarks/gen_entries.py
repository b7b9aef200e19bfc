"""One generated entry file: its plan (size, links, features) and the Markdown written for it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gen_text import Text

SECTION_TITLES = {
    "explanation": ["Funktionsweise", "Hintergrund", "Anwendung", "Technische Details", "Abgrenzung",
                    "Bedeutung", "Praxis", "Varianten", "Kritik", "Einordnung", "Eigenschaften",
                    "Vor- und Nachteile", "Aufbau im Einzelnen", "Berechnung", "Normung"],
    "example": ["Beispiel", "Ein Rechenbeispiel", "Praxisbeispiel"],
    "examples": ["Beispiele"],
    "history": ["Geschichte", "Entwicklung"],
    "note": ["Hinweis", "Anmerkung"],
    "sources": ["Quellen", "Weiterführende Literatur"],
}
FORMULAS = [r"n = p \cdot q", r"\varphi(n) = (p-1)(q-1)", r"E = m c^2", r"\sum_{i=1}^{n} x_i",
            r"\frac{\partial u}{\partial t} = \alpha \nabla^2 u", r"\sqrt{a^2 + b^2}",
            r"f(x) = \int_0^x e^{-t^2}\,dt", r"\lim_{n \to \infty} \left(1 + \frac{1}{n}\right)^n",
            r"\Delta U = Q - W", r"P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}"]
CODE = ["```python\ndef pruefsumme(daten: bytes) -> int:\n    summe = 0\n    for b in daten:\n"
        "        summe = (summe + b) % 65521\n    return summe\n```",
        "```bash\n# Größe aller Messdateien\ndu -sh messungen/*.csv | sort -h\n```",
        "```json\n{\"schlüssel\": \"Wert\", \"länge\": 256, \"gültig\": true}\n```"]


@dataclass
class Term:
    ident: str
    title: str
    level: int  # 2 or 3
    aliases: str  # the attribute's value, '' for none


@dataclass
class Plan:
    name: str  # file name
    terms: list[Term]
    size: int = 0  # target bytes
    body_links: list[tuple[str, str]] = field(default_factory=list)  # (id, label)
    seealso: list[tuple[str, str]] = field(default_factory=list)
    subheadings: int = 6  # per term, the see-also heading included
    table: str = ""  # '', 'pipe' or 'grid'
    code: bool = False
    math: bool = False
    written: str = ""


def link(target: tuple[str, str]) -> str:
    return f"[{target[1]}](#{target[0]})"


def entry_text(text: Text, plan: Plan) -> str:
    """The file's Markdown; a file with several terms shares the plan's size and links out."""
    count = len(plan.terms)
    parts = []
    for k, term in enumerate(plan.terms):
        share = Plan(plan.name, [term], plan.size // count, plan.body_links[k::count],
                     plan.seealso[k::count] or plan.seealso[:1], plan.subheadings,
                     plan.table if k == 0 else "", plan.code and k == 0, plan.math and k == 0)
        parts.append(_term_text(text, share))
    return "\n".join(parts)


def _term_text(text: Text, plan: Plan) -> str:
    r = text.rng
    term = plan.terms[0]
    sub = "#" * (term.level + 1)
    aliases = f' aliases="{term.aliases}"' if term.aliases else ""
    head = (f"{'#' * term.level} {term.title} {{#{term.ident} .chapter .small .term{aliases}}}\n\n"
            f"***{text.tagline()}***\n\n")
    classes = _section_classes(r, plan.subheadings - 1)
    sections: list[list[str]] = [[] for _ in classes]
    sections.insert(0, [f"**{term.title}** bezeichnet {text.object_phrase()}. {text.sentence()}"])
    tail = _seealso(sub, plan.seealso)
    # The definition is a paragraph or two; the rest of the text goes into the sections.
    fillable = [i for i, c in enumerate(classes, start=1) if c != "sources"] or [0]
    if r.random() < 0.5:
        sections[0].append(" ".join(text.sentence() for _ in range(r.randint(2, 4))))
    if "sources" in classes:
        refs = [f"- {text.reference()}" for _ in range(r.randint(1, 4))]
        if r.random() < 0.3:
            refs.append(f"- <https://www.example.org/{term.ident.lower()}>")
        sections[classes.index("sources") + 1].append("\n".join(refs))
    extras = _extras(text, plan)
    for block, i in zip(extras, r.choices(fillable, k=len(extras)), strict=True):
        sections[i].append(block)
    size = len((head + tail).encode()) + sum(len(b.encode()) + 2 for s in sections for b in s)
    pending = list(plan.body_links)
    while size < plan.size or pending:
        room = max(1, (plan.size - size) // 110)  # sentences still to write, roughly
        sentences = []
        for _ in range(r.randint(2, 6)):
            chosen = pending.pop() if pending and r.random() < len(pending) / room else None
            sentences.append(text.sentence(link(chosen) if chosen else None))
            room = max(1, room - 1)
        paragraph = " ".join(sentences)
        sections[r.choice(fillable)].append(paragraph)
        size += len(paragraph.encode()) + 2
    body = "\n\n".join(sections[0])
    for cls, blocks in zip(classes, sections[1:], strict=True):
        title = r.choice(SECTION_TITLES[cls])
        body += f"\n\n{sub} {title} {{.{cls}}}\n\n" + ("\n\n".join(blocks) or text.sentence())
    return head + body + "\n\n" + tail


def _section_classes(r: random.Random, count: int) -> list[str]:
    classes = ["explanation"] * max(1, count - 3)
    optional = ["example", "history", "note", "examples"]
    r.shuffle(optional)
    classes = (classes + optional[: max(0, count - len(classes))])[:count]
    if count >= 3:
        classes[-1] = "sources"
    return classes


def _seealso(sub: str, targets: list[tuple[str, str]]) -> str:
    lines = [f"{link(t)} |" for t in targets] + ["[Index](#Index) |"]
    return f"{sub} Verwandte Themen {{.seealso}}\n\n" + "\n".join(lines) + "\n\n----\n"


def _extras(text: Text, plan: Plan) -> list[str]:
    r = text.rng
    out = []
    if plan.table == "pipe":
        out.append(_pipe_table(text))
    elif plan.table == "grid":
        out.append(_grid_table(text))
    if plan.code:
        out.append(r.choice(CODE))
    if plan.math:
        inline = " ".join(f"Es gilt ${r.choice(FORMULAS)}$ für {text.object_phrase()}."
                          for _ in range(r.randint(1, 4)))
        out.append(inline)
        if r.random() < 0.4:
            out.append(f"$${r.choice(FORMULAS)}$$")
    return out


def _cells(text: Text, rows: int, cols: int) -> list[list[str]]:
    r = text.rng
    header = ["Merkmal", *r.sample(["Variante A", "Variante B", "Größe", "Einheit", "Wert", "Bemerkung"],
                                   cols - 1)]
    body = [[text.noun()[0]] + [r.choice([f"{r.randint(1, 999)} {r.choice(['Bit', 'mm', 'kΩ', 'µs', '%'])}",
                                          text.noun()[0], "—", "ja", "nein"]) for _ in range(cols - 1)]
            for _ in range(rows)]
    return [header, *body]


def _pipe_table(text: Text) -> str:
    rows = _cells(text, text.rng.randint(3, 8), text.rng.randint(2, 4))
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "|".join("---" for _ in rows[0]) + "|")
    return "\n".join(lines)


def _grid_table(text: Text) -> str:
    rows = _cells(text, text.rng.randint(2, 5), text.rng.randint(2, 3))
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]

    def rule(char: str) -> str:
        return "+" + "+".join(char * (w + 2) for w in widths) + "+"

    lines = [rule("-")]
    for n, row in enumerate(rows):
        lines.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        lines.append(rule("=" if n == 0 else "-"))
    return "\n".join(lines)
