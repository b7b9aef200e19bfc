"""Dictionary order (DIN 5007-1 for German) and letter groups."""

from __future__ import annotations

from pipeline.normalise.collation import letter_of, sort_key


def ordered(titles: list[str], lang: str = "de") -> list[str]:
    return sorted(titles, key=lambda t: sort_key(t, t, lang))


def test_umlauts_sort_with_their_base_letter() -> None:
    assert ordered(["Zweck", "Ärger", "Apfel", "Bär", "Öl", "Ober", "Übung", "Uhr"]) == [
        "Apfel", "Ärger", "Bär", "Ober", "Öl", "Übung", "Uhr", "Zweck"]


def test_plain_before_accented_on_a_tie() -> None:
    assert ordered(["Müll", "Mull"]) == ["Mull", "Müll"]


def test_sharp_s_sorts_as_ss() -> None:
    assert ordered(["Masse", "Maße", "Mast"]) == ["Masse", "Maße", "Mast"]


def test_case_insensitive_with_lower_case_first_on_a_tie() -> None:
    assert ordered(["beta", "Alpha", "Beta", "alpha2"]) == ["Alpha", "alpha2", "beta", "Beta"]


def test_digits_and_symbols_form_a_leading_group() -> None:
    assert ordered(["Zebra", "3DES", "2-Faktor", "Alpha", "€-Bonds"]) == [
        "2-Faktor", "3DES", "€-Bonds", "Alpha", "Zebra"]
    assert letter_of("3DES") == ("0-9", "0–9")
    assert letter_of("€-Bonds") == ("0-9", "0–9")


def test_leading_punctuation_is_ignored() -> None:
    assert ordered(["Oberon", ".NET", "„Quoted“ Term", "Nano"]) == [
        "Nano", ".NET", "Oberon", "„Quoted“ Term"]
    assert letter_of("„Quoted“ Term") == ("Q", "Q")
    assert letter_of(".NET") == ("N", "N")


def test_punctuation_and_hyphens_do_not_change_primary_order() -> None:
    assert ordered(["Email", "E-Mail-Adresse", "Emacs"]) == ["Emacs", "Email", "E-Mail-Adresse"]


def test_ties_broken_by_id() -> None:
    assert sort_key("Term", "b") > sort_key("Term", "a")


def test_letter_groups_fold_umlauts() -> None:
    assert letter_of("Ärger") == ("A", "A")
    assert letter_of("öffentlich") == ("O", "O")
    assert letter_of("Übung") == ("U", "U")


def test_swedish_sorts_extra_letters_after_z() -> None:
    assert ordered(["Ö", "Z", "Å", "A", "Ä"], "sv") == ["A", "Z", "Å", "Ä", "Ö"]
    assert letter_of("Ödla", "sv") == ("Ö", "Ö")


def test_demo_book_order_and_groups(demo_book) -> None:  # type: ignore[no-untyped-def]
    ids = [t.id for t in demo_book.terms]
    assert ids[:2] == ["2-Faktor-Authentifizierung", "3DES"]
    assert ids.index("Äquivalenzklasse") < ids.index("Asymmetrische-Kryptographie")
    assert ids.index("Öffentlicher-Schlüssel") < ids.index("One-Time-Pad")
    letters = [g.id for g in demo_book.groups]
    assert letters[0] == "0-9"
    assert letters[1:] == sorted(letters[1:]) and all(len(x) == 1 for x in letters[1:])
    assert [t.id for g in demo_book.groups for t_id in g.term_ids for t in [demo_book.term(t_id)]] == ids
