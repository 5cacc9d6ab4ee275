"""Themes across rooms: grouping a breakout's notes by meaning, and how well it agrees with people."""

import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from facilitator.domain.themes import MAX_LABEL_WORDS, OTHER, Theme, group_notes, label_for
from facilitator.domain.themes.lexicon import LEXICON, parse
from facilitator.domain.themes.normalise import ACTOR_TERMS, tokens
from facilitator.domain.themes.reading import read
from facilitator.domain.themes.similarity import affixes
from facilitator.domain.themes.spelling import within_one_edit
from participant.core.notes import Note
from tests import bench_scripts

ROOT = Path(__file__).resolve().parent.parent


_bench = bench_scripts.load("themes_ari")
FIXTURE = _bench.FIXTURE
adjusted_rand_index = _bench.adjusted_rand_index
breakout_notes = _bench.breakout_notes
jaccard_linkage = _bench.jaccard_linkage
load_fixture = _bench.load_fixture
score = _bench.score
theme_ari = _bench.theme_ari
FIXTURE_DATA = load_fixture()
BREAKOUTS = {breakout["id"]: breakout for breakout in FIXTURE_DATA["breakouts"]}


def group_breakout(breakout_id: str) -> tuple[list[Note], list[Theme]]:
    notes, _ = breakout_notes(BREAKOUTS[breakout_id])
    return notes, group_notes(notes, prompts=BREAKOUTS[breakout_id]["prompts"])


def theme_of(found: list[Theme], note_id: str) -> Theme:
    return next(theme for theme in found if note_id in theme.note_ids)


def notes_of(*texts: str) -> list[Note]:
    return [Note("b", 1 + index % 4, f"n{index}", text) for index, text in enumerate(texts)]


# ---- the shape of the answer ---------------------------------------------------------------------


@pytest.mark.parametrize("breakout_id", sorted(BREAKOUTS))
def test_every_note_is_in_exactly_one_theme(breakout_id):
    """The themes partition the notes: none lost, none twice, no empty theme."""
    notes, found = group_breakout(breakout_id)
    ids = [note_id for theme in found for note_id in theme.note_ids]
    assert sorted(ids) == sorted(note.id for note in notes)
    assert all(theme.note_ids for theme in found)


@pytest.mark.parametrize("breakout_id", sorted(BREAKOUTS))
def test_biggest_theme_first_then_most_rooms_other_last(breakout_id):
    """Themes come biggest first; among equal sizes, the one spanning more rooms first; "Other" last."""
    notes, found = group_breakout(breakout_id)
    keys = [(theme.label == OTHER, -len(theme.note_ids), -len(theme.rooms(notes))) for theme in found]
    assert keys == sorted(keys)


@pytest.mark.parametrize("breakout_id", sorted(BREAKOUTS))
def test_labels_are_short_and_made_of_the_notes_words(breakout_id):
    """Every label but "Other" has one to four words, each a word of its notes (as typed or repaired)."""
    notes, found = group_breakout(breakout_id)
    by_id = {note.id: note for note in notes}
    for theme in found:
        if theme.label == OTHER:
            continue
        words = theme.label.split()
        assert 1 <= len(words) <= MAX_LABEL_WORDS, theme
        hyphened = [w.casefold() for i in theme.note_ids for w in re.findall(r"[\w-]+", by_id[i].text)]
        typed = {*hyphened, *(part for w in hyphened for part in w.split("-"))}
        for word in words:
            assert _from_notes(word.casefold(), typed), (word, theme)


def _from_notes(word: str, typed: set[str]) -> bool:
    """A label word is typed in the notes, or is shorthand spelled out, or a one-edit typo repaired."""
    spelled_out = {"w": "with", "b": "because", "c": "because"}
    expanded = {part for w in typed for part in LEXICON.shorthand.get(w, spelled_out.get(w, w)).split()}
    return word in typed | expanded or any(within_one_edit(word, w) for w in typed)


def test_theme_rooms_lists_the_rooms_of_its_notes():
    """A theme knows its rooms from the notes: sorted, each once."""
    notes = [
        Note("b", 3, "a", "trust"),
        Note("b", 1, "b", "trust each other"),
        Note("b", 3, "c", "we trust her"),
    ]
    [theme] = group_notes(notes)
    assert theme.rooms(notes) == (1, 3)


def test_most_representative_note_comes_first():
    """Within a theme, the note most like the others leads, so a reader sees the gist first."""
    notes = notes_of("we trust her judgement", "trust takes time", "TRUST", "trusting relationship")
    [theme] = group_notes(notes)
    assert theme.note_ids[0] == "n2"
    assert theme.label == "Trust"


# ---- one rule for labels ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Naming the elephant in the room takes courage", "respct for MH", "??", ""])
def test_label_for_a_note_is_its_label_as_a_theme_of_its_own(text):
    """label_for gives a note the label group_notes gives it when it is the breakout's only note."""
    [theme] = group_notes([Note("b", 1, "x", text)])
    assert label_for(text) == theme.label


def test_a_note_left_alone_is_labelled_by_label_for_among_its_breakout():
    """A note the grouping leaves alone is labelled as label_for labels it given the same breakout,
    so a note the trainer splits off gets the label the grouping would have given it."""
    texts = ["we trust each other", "trust takes time", "interpreter not available for spanish speakers"]
    found = group_notes(notes_of(*texts))
    alone = theme_of(found, "n2")
    assert alone.note_ids == ("n2",)
    assert alone.label == label_for(texts[2], among=texts)


# ---- determinism ---------------------------------------------------------------------------------


@pytest.mark.parametrize("breakout_id", sorted(BREAKOUTS))
def test_same_notes_in_any_order_give_the_same_themes(breakout_id):
    """Shuffling the input changes nothing: labels, membership, order within and across themes."""
    notes, found = group_breakout(breakout_id)
    prompts = BREAKOUTS[breakout_id]["prompts"]
    rng = random.Random(breakout_id)
    for _ in range(5):
        shuffled = notes[:]
        rng.shuffle(shuffled)
        assert group_notes(shuffled, prompts=prompts) == found


def test_same_themes_under_any_hash_seed():
    """Set and dict iteration order never leaks into the result: two hash seeds, identical output."""
    script = (
        "import json, runpy, sys\n"
        "bench = runpy.run_path('bench/themes_ari.py')\n"
        "load_fixture, breakout_notes = bench['load_fixture'], bench['breakout_notes']\n"
        "from facilitator.domain.themes import group_notes\n"
        "out = []\n"
        "for b in load_fixture()['breakouts']:\n"
        "    notes, _ = breakout_notes(b)\n"
        "    out.append([[t.label, list(t.note_ids)] for t in group_notes(notes, prompts=b['prompts'])])\n"
        "json.dump(out, sys.stdout)\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1


# ---- edge cases ----------------------------------------------------------------------------------


def test_no_notes_no_themes():
    """An empty breakout has no themes."""
    assert group_notes([]) == []


@pytest.mark.parametrize(
    "text",
    ["Naming the elephant in the room takes courage", "values my opinion even tho im newer", "TRUST"],
)
def test_one_note_is_one_theme_labelled_from_its_text(text):
    """A lone note is its own theme, labelled with up to four consecutive words of its own."""
    [theme] = group_notes([Note("b", 2, "x", text)])
    assert theme.note_ids == ("x",)
    assert 1 <= len(theme.label.split()) <= MAX_LABEL_WORDS
    assert theme.label.casefold() in text.casefold()


@pytest.mark.parametrize("text", ["", "   ", "??", "ok", "!!!"])
def test_a_note_without_words_still_gets_a_label(text):
    """Blank or stop-word-only notes get a non-empty label and stay on their own."""
    found = group_notes(
        [Note("b", 1, "empty", text), Note("b", 2, "t1", "trust"), Note("b", 3, "t2", "trust")]
    )
    assert theme_of(found, "empty").note_ids == ("empty",)
    assert all(theme.label for theme in found)


def test_duplicate_ids_are_refused():
    """Two notes with one id cannot each be in exactly one theme: a clear error."""
    with pytest.raises(ValueError, match="unique id"):
        group_notes([Note("b", 1, "same", "trust"), Note("b", 2, "same", "humour")])


def test_labels_carry_no_markup_or_control_characters():
    """Markup and escape sequences in notes are not words: labels are letters, digits, spaces, - and '."""
    notes = notes_of(
        "[bold]trust[/bold]", "<b>trust</b> each other", "\x1b[31mtrust\x1b[0m", "[link=x]MH[/link]"
    )
    for theme in group_notes(notes):
        assert all(char.isalnum() or char in " -'" for char in theme.label), theme.label


# ---- robustness on small examples ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("MH won't share info", "mental health wont share information"),
        ("good communcation", "we communicate well"),
        ("respct for each other", "mutual respect"),
        ("hummor", "sense of humor"),
        ("boundries are a worry", "clinicians worry about boundaries"),
        ("follows thru on what she says", "she always follows through"),
        ("relaible", "so reliable"),
        ("the SWs", "a social worker"),
        ("ROIs take weeks", "no HIPAA release signed"),
        ("so many rules", "their policy"),
        ("constant clashes between agencies", "the agencies disagree"),
    ],
)
def test_typos_abbreviations_and_shorthand_still_meet(left, right):
    """A typo, an acronym (or its plural), phone shorthand or a common synonym does not keep two
    notes that say the same thing apart."""
    distractors = ["funding cuts hurt", "paperwork piles up", "court is adversarial", "kids wait longer"]
    notes = notes_of(left, right, *distractors)
    found = group_notes(notes)
    assert theme_of(found, "n0") is theme_of(found, "n1")
    assert len(theme_of(found, "n0").note_ids) == 2


def test_real_words_are_not_corrected_into_others():
    """A word one key away from a lexicon word is left alone when no thumb would make that slip."""
    notes = notes_of("shared my story", "scared of court", "shared a story", "scared in court", "funny stuff")
    found = group_notes(notes)
    assert theme_of(found, "n0") is theme_of(found, "n2")
    assert theme_of(found, "n0") is not theme_of(found, "n1")


def test_words_common_to_every_prompt_do_not_glue_notes():
    """A word every prompt uses is context: notes are grouped by what else they say."""
    notes = notes_of(
        "turf wars over funding", "turf wars about paperwork", "funding cuts hurt", "paperwork piles up"
    )
    prompts = ["Name the turf wars among partners", "What do these turf wars cost families?"]
    by_prompt = group_notes(notes, prompts=prompts)
    assert [sorted(theme.note_ids) for theme in by_prompt] == [["n0", "n2"], ["n1", "n3"]]
    assert len(group_notes(notes)) == 1  # without the prompts, "turf wars" does glue them


def test_grouping_weighs_a_word_naming_who_is_involved_as_any_word():
    """ "Clinician" weighs as much as "paperwork" when notes are grouped (a theme is as often about
    a partner as about what they do); suggestions weigh it half."""
    vector = read(["clinician paperwork"], []).vectors[0]
    assert "clinician" in ACTOR_TERMS
    assert vector["clinician"] == pytest.approx(vector["paperwork"])


def test_words_meet_on_their_first_or_last_five_letters():
    """Affixes: "communicate" and "communication" share a prefix, "ownership" and "partnership" a
    suffix; a stop word or a word under three letters has none."""
    assert affixes(tokens("communicate the plan")) == Counter(
        {"p:commu": 1, "s:icate": 1, "p:plan": 1, "s:plan": 1}
    )
    assert affixes(tokens("communication")).keys() & affixes(tokens("communicate")).keys() == {"p:commu"}
    assert affixes(tokens("ownership")).keys() & affixes(tokens("partnership")).keys() == {"s:rship"}
    assert affixes(tokens("we go to it")) == Counter()


def test_a_word_of_one_prompt_among_several_still_counts():
    """RICH's prompts each name a category; a note naming one still finds the others that do."""
    prompts = BREAKOUTS["rich-relationships"]["prompts"]
    notes = notes_of(
        "validate their feelings", "validate what they went through", "give choices", "eye contact"
    )
    found = group_notes(notes, prompts=prompts)
    assert theme_of(found, "n0") is theme_of(found, "n1")


def test_grouping_200_notes_is_fast():
    """200 notes group in well under a second (the bench measures tens of milliseconds)."""
    texts = [note["text"] for breakout in FIXTURE_DATA["breakouts"] for note in breakout["notes"]]
    notes = [Note("b", i % 5, f"n{i:03d}", text) for i, text in enumerate(texts[:200])]
    start = time.perf_counter()
    group_notes(notes, prompts=BREAKOUTS["rifts-turf-wars"]["prompts"])
    assert time.perf_counter() - start < 1.0


# ---- the lexicon ---------------------------------------------------------------------------------


def test_the_lexicon_is_read_from_its_data_file():
    """lexicon.toml, shipped in the package, holds the tables; acronyms' spelled out forms are idioms."""
    assert LEXICON.abbreviations["mh"] == "mental health"
    assert LEXICON.idioms[("has", "my", "back")] == ("backing",)
    assert LEXICON.idioms[("mental", "health")] == ("mental_health",)
    assert LEXICON.idiom_lengths["has"] == (3,)
    assert LEXICON.concepts["laughing"] == "humour"
    assert {"the", "and"} <= LEXICON.stop_words
    assert {"probation", "mental_health"} <= LEXICON.actors
    assert {"respect", "back", "health", "through"} <= LEXICON.known


_LEXICON_PARTS = {
    "stop_words": 'stop_words = "a the"',
    "actors": 'actors = "staff"',
    "acronyms": 'acronyms = "roi"',
    "clitics": 'clitics = "s"',
    "abbreviations": '[abbreviations]\nmh = "mental health"',
    "shorthand": '[shorthand]\nthru = "through"',
    "idioms": '[idioms]\nbacking = ["has my back"]',
    "concepts": '[concepts]\ntrust = "trust trusted"',
}


def test_the_typo_repair_knows_the_words_of_synonyms_idioms_and_expansions():
    """Known words: the synonyms', the idioms', and what acronyms and shorthand stand for."""
    known = parse("\n".join(_LEXICON_PARTS.values())).known
    assert known == {"trust", "trusted", "has", "my", "back", "mental", "health", "through"}


@pytest.mark.parametrize(
    ("part", "text", "error"),
    [
        (
            "concepts",
            '[concepts]\ntrust = "trust"\nreliable = "rely trust"',
            "concepts.reliable: 'trust' is in trust",
        ),
        ("idioms", '[idioms]\nbacking = ["back"]', "idioms.backing: 'back' is one word"),
        ("idioms", '[idioms]\nbacking = "has my back"', "idioms.backing: expected a list"),
        ("stop_words", 'stop_words = "A the"', "stop_words: expected a string of lower-case words"),
        ("shorthand", "", r"\[shorthand\]: expected a table"),
    ],
)
def test_a_malformed_lexicon_is_refused_naming_the_table(part, text, error):
    """A mistake in lexicon.toml fails loudly, saying where, rather than quietly changing the themes."""
    with pytest.raises(ValueError, match=error):
        parse("\n".join({**_LEXICON_PARTS, part: text}.values()))


# ---- agreement with people -----------------------------------------------------------------------


def test_grouping_beats_the_jaccard_baseline_on_every_part_of_the_split():
    """On tuning, held-out and both fresh parts, the grouping beats Parabol-style Jaccard linkage."""
    ours = score(FIXTURE_DATA, lambda notes, prompts: group_notes(notes, prompts=prompts))
    baseline = score(FIXTURE_DATA, jaccard_linkage(0.1))
    for part in ("tuning", "heldout", "fresh1", "fresh2"):
        assert ours[part] > baseline[part] + 0.1, (part, ours[part], baseline[part])


def test_fixture_is_big_varied_and_split():
    """At least 60 notes in several breakouts of at least 3 rooms; every breakout in one part of the split."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    breakouts = data["breakouts"]
    assert sum(len(b["notes"]) for b in breakouts) >= 60
    assert all(len({n["room"] for n in b["notes"]}) >= 3 for b in breakouts)
    parts = [set(data["split"][part]) for part in ("tuning", "heldout", "fresh1", "fresh2")]
    assert set.union(*parts) == set(BREAKOUTS)
    assert sum(len(part) for part in parts) == len(BREAKOUTS)
    ids = [n["id"] for b in breakouts for n in b["notes"]]
    assert len(ids) == len(set(ids))


# ---- the adjusted Rand index itself --------------------------------------------------------------


@pytest.mark.parametrize(
    ("truth", "predicted", "expected"),
    [
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),  # label names do not matter
        (list("aabbcc"), [7, 7, 3, 3, 5, 5], 1.0),
        ([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2], 0.24242424242424243),  # scikit-learn's documented example
        ([0, 0, 1, 2], [0, 0, 1, 1], 0.5714285714285714),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),  # worse than chance
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),  # one group against all singletons
        ([0, 1, 2, 3], [0, 1, 2, 3], 1.0),  # both all singletons
    ],
)
def test_ari_known_values(truth, predicted, expected):
    """Known values: identical partitions 1.0 whatever the names, textbook cases, below chance negative."""
    assert adjusted_rand_index(truth, predicted) == pytest.approx(expected)


def _ari_by_pair_counting(truth, predicted):
    """An independent formula: ARI from the four pair counts (Steinley 2004)."""
    a = b = c = d = 0
    for i, j in itertools.combinations(range(len(truth)), 2):
        same_truth, same_pred = truth[i] == truth[j], predicted[i] == predicted[j]
        a += same_truth and same_pred
        b += same_truth and not same_pred
        c += same_pred and not same_truth
        d += not same_truth and not same_pred
    return 2 * (a * d - b * c) / ((a + b) * (b + d) + (a + c) * (c + d))


def test_ari_matches_pair_counting_on_random_partitions():
    """The contingency-table ARI equals the pair-counting formula on random labellings."""
    rng = random.Random(4)
    for _ in range(200):
        n = rng.randint(3, 30)
        truth = [rng.randint(0, rng.randint(1, 6)) for _ in range(n)]
        predicted = [rng.randint(0, rng.randint(1, 6)) for _ in range(n)]
        if len(set(truth)) in (1, n) and len(set(predicted)) in (1, n):
            continue  # the pair-counting formula divides by zero there; covered by known values
        assert adjusted_rand_index(truth, predicted) == pytest.approx(_ari_by_pair_counting(truth, predicted))


def test_ari_of_the_trivial_groupings_is_about_zero():
    """Every note alone, or all notes together, scores 0 against any labelled breakout."""
    for breakout in FIXTURE_DATA["breakouts"]:
        notes, truth = breakout_notes(breakout)
        alone = [Theme("x", (note.id,)) for note in notes]
        together = [Theme("x", tuple(note.id for note in notes))]
        assert theme_ari(alone, truth) == pytest.approx(0.0)
        assert theme_ari(together, truth) == pytest.approx(0.0)


def test_ari_refuses_labellings_of_different_lengths():
    """Comparing two labellings of different items is an error, not a number."""
    with pytest.raises(ValueError, match="same items"):
        adjusted_rand_index([0, 1], [0])


def test_fixture_themes_are_not_all_singletons():
    """The labels group notes: most themes have at least two notes from different rooms."""
    for breakout in FIXTURE_DATA["breakouts"]:
        sizes = Counter(note["theme"] for note in breakout["notes"])
        assert statistics.fmean(size >= 2 for size in sizes.values()) >= 0.6


def test_look_alike_spellings_are_one_word_to_the_grouping():
    """Full-width letters and zero-width or format characters do not split or hide a word."""
    spellings = ["trust each other", "tr\u200bust each other", "ｔｒｕｓｔ each other"]
    notes = notes_of(*spellings, "funding cuts hurt")
    found = group_notes(notes)
    assert theme_of(found, "n0") is theme_of(found, "n1") is theme_of(found, "n2")
    assert theme_of(found, "n3") is not theme_of(found, "n0")
