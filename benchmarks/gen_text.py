"""German-looking text for the benchmark generator: term names and sentences from word lists.

Grammar is approximate on purpose (articles agree with the noun's gender, little else): the
benchmarks need text with the byte and character mix of a German glossary — umlauts, ß,
compounds, „quotes“, straight "quotes", dashes, abbreviations — not prose anyone reads.
"""

from __future__ import annotations

import random

# (word, gender) — the last part of a compound decides its gender, as in German.
BASES: list[tuple[str, str]] = [
    ("Schlüssel", "m"), ("Verfahren", "n"), ("Verwaltung", "f"), ("Prüfung", "f"), ("Zugriff", "m"),
    ("Speicher", "m"), ("Struktur", "f"), ("Signal", "n"), ("Übertragung", "f"), ("Messung", "f"),
    ("Größe", "f"), ("Schnittstelle", "f"), ("Modell", "n"), ("Analyse", "f"), ("Netz", "n"),
    ("Protokoll", "n"), ("Fehler", "m"), ("Wert", "m"), ("Zustand", "m"), ("Raum", "m"),
    ("Funktion", "f"), ("Algorithmus", "m"), ("Regel", "f"), ("Norm", "f"), ("Schicht", "f"),
    ("Kette", "f"), ("Baum", "m"), ("Graph", "m"), ("Matrix", "f"), ("Folge", "f"), ("Menge", "f"),
    ("Abbildung", "f"), ("Gleichung", "f"), ("Dichte", "f"), ("Frequenz", "f"), ("Spannung", "f"),
    ("Leistung", "f"), ("Wärme", "f"), ("Fluss", "m"), ("Druck", "m"), ("Stoß", "m"), ("Maß", "n"),
    ("Gefüge", "n"), ("Verhältnis", "n"), ("Übergang", "m"), ("Äquivalent", "n"), ("Ordnung", "f"),
    ("Verteilung", "f"), ("Schätzung", "f"), ("Zählung", "f"), ("Steuerung", "f"), ("Regelung", "f"),
    ("Erkennung", "f"), ("Verschlüsselung", "f"), ("Kompression", "f"), ("Bindung", "f"),
    ("Zerlegung", "f"), ("Filter", "m"), ("Puffer", "m"), ("Knoten", "m"), ("Kanal", "m"),
    ("Takt", "m"), ("Impuls", "m"), ("Körper", "m"), ("Gitter", "n"), ("Feld", "n"), ("Prinzip", "n"),
]
PREFIXES = [
    "Daten", "Quanten", "Zufalls", "Fehler", "Netz", "Mess", "Wärme", "Licht", "Strom", "Zeit",
    "Raum", "Kern", "Grund", "Rand", "Öl", "Über", "Unter", "Gegen", "Misch", "Teil", "Voll",
    "Halb", "Schwing", "Füll", "Grenz", "Ausgleichs", "Prüf", "Spei", "Lade", "Kühl", "Schalt",
    "Stütz", "Trenn", "Zünd", "Dreh", "Schub", "Zug", "Bruch", "Guss", "Walz", "Schweiß", "Löt",
    "Farb", "Ton", "Bild", "Text", "Sprach", "Zahlen", "Wellen", "Teilchen", "Energie", "Masse",
    "Ladungs", "Impuls", "Phasen", "Spektral", "Boden", "Wasser", "Luft", "Äther", "Eis",
    "Groß", "Klein", "Außen", "Innen", "Rück", "Vor", "Nach", "Ab", "Zu", "Ein", "Aus",
]
ADJECTIVES = [
    "lineare", "stochastische", "diskrete", "stetige", "öffentliche", "private", "symmetrische",
    "asymmetrische", "adaptive", "thermische", "elektrische", "magnetische", "optische",
    "akustische", "digitale", "analoge", "verteilte", "zentrale", "lokale", "globale", "äußere",
    "innere", "große", "kleine", "schnelle", "träge", "mittlere", "maximale", "minimale",
    "relative", "absolute", "gemischte", "gewichtete", "normierte", "quadratische", "kubische",
]
LEADING = ["3D", "5G", "2-Phasen", "4-Leiter", "8-Bit", "64-Bit", "1-Wege", "ε", "α", "β", "Δ"]
VERBS = [
    "beschreibt", "bezeichnet", "bestimmt", "erzeugt", "verändert", "begrenzt", "überträgt",
    "speichert", "prüft", "misst", "regelt", "steuert", "verknüpft", "ersetzt", "enthält",
    "erfordert", "ermöglicht", "verhindert", "beeinflusst", "übersteigt", "unterschreitet",
    "berücksichtigt", "vernachlässigt", "schätzt", "zählt", "verschlüsselt", "komprimiert",
]
ADVERBS = [
    "meist", "häufig", "selten", "grundsätzlich", "näherungsweise", "vollständig", "teilweise",
    "ausschließlich", "zunächst", "anschließend", "gleichzeitig", "später", "dennoch", "jedoch",
    "außerdem", "insbesondere", "üblicherweise", "gelegentlich", "in der Regel", "im Allgemeinen",
]
PEOPLE = ["Müller", "Schäfer", "Weiß", "Groß", "Krüger", "Böhm", "Jäger", "Köhler", "Fuß", "Löwe",
          "Hoffmann", "Schröder", "Zimmermann", "Braun", "Wagner", "Becker", "Schulz"]
PLACES = ["München", "Köln", "Zürich", "Göttingen", "Würzburg", "Lübeck", "Düsseldorf", "Gießen",
          "Jena", "Dresden", "Wien", "Graz", "Basel", "Erlangen"]
ORGS = ["DIN", "ISO", "IEC", "VDE", "VDI", "BSI", "DKE", "PTB", "ETSI", "IEEE"]
_NOM = {"m": "der", "f": "die", "n": "das"}
_ACC = {"m": "den", "f": "die", "n": "das"}
_DAT = {"m": "dem", "f": "der", "n": "dem"}
_INDEF = {"m": "ein", "f": "eine", "n": "ein"}
_ADJ_NOM = {"m": "r", "f": "", "n": "s"}  # "ein linearer / eine lineare / ein lineares"


class Text:
    """Sentences and names from one seeded random generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def noun(self) -> tuple[str, str]:
        """A noun, often a compound ("Quantenschlüssel"), with its gender."""
        word, gender = self.rng.choice(BASES)
        if self.rng.random() < 0.55:
            word = self.rng.choice(PREFIXES) + word.lower()
        return word, gender

    def phrase(self, case: dict[str, str]) -> str:
        word, gender = self.noun()
        article = case[gender]
        if self.rng.random() < 0.4:
            adj = self.rng.choice(ADJECTIVES)
            ending = "n" if case is _DAT or (case is _ACC and gender == "m") else ""
            return f"{article} {adj}{ending} {word}"
        return f"{article} {word}"

    def object_phrase(self) -> str:
        """A noun phrase in the accusative ("den linearen Speicher")."""
        return self.phrase(_ACC)

    def sentence(self, link: str | None = None) -> str:
        """One sentence; `link` (Markdown) takes the place of a noun phrase when given."""
        r = self.rng
        subject = _upper_first(self.phrase(_NOM))
        obj = link or self.phrase(_ACC)
        form = r.randrange(12)
        if form == 0:
            text = f"{subject} {r.choice(VERBS)} {r.choice(ADVERBS)} {obj}"
        elif form == 1:
            text = f"Im Unterschied zu {self.phrase(_DAT)} {r.choice(VERBS)} {self.phrase(_NOM)} {obj}"
        elif form == 2:
            text = f"Dabei ist zu beachten, dass {self.phrase(_NOM)} {obj} {r.choice(VERBS)}"
        elif form == 3:
            word, _ = self.noun()
            text = (f"Man spricht in diesem Fall auch von „{word}“ – "
                    f"{self.phrase(_NOM)} {r.choice(VERBS)} {obj}")
        elif form == 4:
            text = (f"Nach {r.choice(ORGS)} {r.randint(100, 99999)}-{r.randint(1, 9)} "
                    f"{r.choice(VERBS)} {self.phrase(_NOM)} {obj}")
        elif form == 5:
            text = (f"{r.choice(PEOPLE)} zeigte {r.randint(1850, 2023)} in {r.choice(PLACES)}, "
                    f"dass {self.phrase(_NOM)} {obj} {r.choice(VERBS)}")
        elif form == 6:
            word, _ = self.noun()
            text = f"{subject} wird oft als \"{word}\" bezeichnet, z. B. wenn es {obj} {r.choice(VERBS)}"
        elif form == 7:
            text = (f"Für {r.randint(2, 64)} Werte ergibt sich etwa {r.randint(1, 999)},{r.randint(0, 99)} % "
                    f"Abweichung, d. h. {self.phrase(_NOM)} {r.choice(VERBS)} {obj} kaum")
        elif form == 8:
            text = f"{subject} {r.choice(VERBS)} {obj}, {r.choice(ADVERBS)} aber auch {self.phrase(_ACC)}"
        elif form == 9:
            text = f"**{self.noun()[0]}** {r.choice(VERBS)} {obj} *{r.choice(ADVERBS)}*"
        elif form == 10:
            text = (f"Größere Systeme – etwa in {r.choice(PLACES)} – verwenden {obj} "
                    f"und {self.phrase(_ACC)} gemeinsam")
        else:
            text = f"Außerdem {r.choice(VERBS)} {self.phrase(_NOM)} {obj}"
        return text + r.choice([".", ".", ".", ".", "!", ";"]).replace(";", ".")

    def title(self) -> str:
        """A term title: a compound, an adjective + noun, or one that starts with a digit or Greek."""
        r = self.rng
        word, gender = self.noun()
        roll = r.random()
        if roll < 0.3:
            adj = r.choice(ADJECTIVES)[:-1] + {"m": "er", "f": "e", "n": "es"}[gender]
            return f"{_upper_first(adj)} {word}"
        if roll < 0.34:
            return f"{r.choice(LEADING)}-{word}"
        return word

    def tagline(self) -> str:
        word, gender = self.noun()
        adj = self.rng.choice(ADJECTIVES)
        return f"{_upper_first(_INDEF[gender])} {adj[:-1]}e{_ADJ_NOM[gender]} {word} für {self.phrase(_ACC)}"

    def reference(self) -> str:
        r = self.rng
        return (f"{r.choice(PEOPLE)}, {r.choice('ABCDEFGHKLMPRSTW')}.: *{self.noun()[0]} und "
                f"{self.noun()[0]}*. {r.choice(PLACES)}: Verlag {r.choice(PEOPLE)}, {r.randint(1950, 2024)}.")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
