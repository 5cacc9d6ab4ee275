"""Themes across rooms: group a breakout's notes by meaning, offline, deterministically, in pure Python.

A **note** is one idea a room's facilitator typed during a breakout, often on a phone: terse, with typos
and abbreviations ("CW", "MH", "w/", "thru"). A **theme** is a group of notes, usually from several
rooms, that say the same thing. At the report-back the projector shows the themes biggest first, each
with a short label taken from the notes' own words.

How (see ``group_notes``):

1. **Normalise** each note: casefold, split on punctuation, expand phone shorthand and a small table
   of human-services acronyms (CW -> child welfare, MH -> mental health; an acronym and its spelled
   out form are one term), correct one-edit typos a thumb makes (a missing, doubled or swapped
   letter, a neighbouring key) against a small domain lexicon or a more frequent word of the same
   breakout, map a few idioms ("has my back", "eye contact") and synonyms (laugh/humor/joke,
   releases/HIPAA/privacy) to shared concepts, drop stop words, strip suffixes (trusting -> trust).
2. **Weigh** the terms by TF-IDF over the breakout's notes. Words common to every discussion prompt
   are damped: they are the context all rooms share, not what sets one note apart. A word in one
   prompt of several ("Respect" among RICH's four) keeps its weight: it tells which prompt a note
   answers. Words that name who is involved (MH, probation, schools, parents, agency) weigh half as
   much as the rest of their note: in a partnership workshop nearly every note names a partner, and
   what it says about them is what makes the theme ("MH won't share info" goes with "need signed
   releases", not with "cross training w/ MH").
3. **Compare** every pair of notes: cosine of the term vectors, blended with the cosine of character
   trigrams of the words, which keeps near-misses the lexicon does not know close.
4. **Cluster** by average-linkage agglomeration: repeatedly merge the two groups whose notes are, on
   average, most similar, while that average is at least ``MERGE_THRESHOLD``. Average linkage does
   not chain unrelated notes through one bridge note, needs no number of themes up front, and puts
   no cap on a theme's size.
5. **Label** each theme with at most four consecutive words of its most representative note (the
   medoid), chosen for the terms most of the theme shares ("Has my back", "Ask for feedback"); a
   note that resembles no other stays alone, labelled from its own words.

Everything is ordered by note id before any arithmetic, and every tie is broken by that order, so the
same notes give the same themes whatever order they arrive in and whatever ``PYTHONHASHSEED`` is.

Limits (measured by ``bench/themes_ari.py`` on tests/fixtures/breakout_notes.json): this is word
overlap made tolerant, not understanding. Notes that say the same thing in words the lexicon does not
connect stay apart ("I know she'll get it done" / "reliable!!"), so the usual error is a theme split
into pieces; notes sharing a word in different senses may meet ("we trust each other" / "families
lose trust in us"). On breakouts whose wording the lexicon covers the adjusted Rand index against a
careful facilitator's grouping is about 0.6; on new wording it is about 0.35. The trainer fixes the
rest with the keys on the report-back screen.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Tunables, chosen on the tuning half of tests/fixtures/breakout_notes.json (bench/themes_ari.py).
MERGE_THRESHOLD = 0.10
"""Two groups merge while the mean similarity of their notes is at least this (0..1)."""
CHAR_WEIGHT = 0.25
"""Share of the character-trigram cosine in a pair's similarity; the rest is the term cosine."""
PROMPT_DAMPING = 0.75
"""A term used by every prompt keeps 1 - PROMPT_DAMPING of its weight. A term used by only some of the
prompts keeps all of it: it tells which prompt a note answers, and so which theme it may be in."""
ACTOR_WEIGHT = 0.5
"""Weight of words that name who is involved (agencies, roles, people) relative to what is said."""
MAX_LABEL_WORDS = 4


@dataclass(frozen=True)
class Note:
    """One note from a room; ``id`` is the caller's opaque, stable, unique id."""

    room: int
    text: str
    id: str


@dataclass(frozen=True)
class Theme:
    """Notes that say the same thing. ``note_ids`` start with the most representative note."""

    label: str
    note_ids: tuple[str, ...]

    def rooms(self, notes: Iterable[Note]) -> tuple[int, ...]:
        """The rooms, in order, that wrote this theme's notes (looked up in ``notes``)."""
        ids = set(self.note_ids)
        return tuple(sorted({note.room for note in notes if note.id in ids}))


# ---- the lexicon ---------------------------------------------------------------------------------
# Small and general to human-services workshops (the seeds in ../shared/seeds): not a thesaurus.

ABBREVIATIONS: dict[str, str] = {
    "cw": "child welfare",
    "cws": "child welfare",
    "cps": "child welfare",
    "aps": "adult protective services",
    "mh": "mental health",
    "bh": "behavioral health",
    "dv": "domestic violence",
    "ipv": "domestic violence",
    "sa": "substance abuse",
    "sud": "substance use",
    "aod": "alcohol drugs",
    "tx": "treatment",
    "dx": "diagnosis",
    "hx": "history",
    "es": "employment specialist",
    "itp": "individual plan",
    "isp": "individual plan",
    "idp": "individual plan",
    "iep": "individual plan",
    "le": "law enforcement",
    "po": "probation officer",
    "sw": "social worker",
    "cm": "case manager",
    "fc": "foster care",
    "phn": "public health nurse",
    "cbo": "community organisation",
    "cbos": "community organisations",
}

SHORTHAND: dict[str, str] = {
    "ppl": "people",
    "mtg": "meeting",
    "mtgs": "meetings",
    "appt": "appointment",
    "appts": "appointments",
    "info": "information",
    "diff": "different",
    "btwn": "between",
    "abt": "about",
    "thru": "through",
    "tho": "though",
    "bc": "because",
    "cuz": "because",
    "govt": "government",
    "dept": "department",
    "org": "organisation",
    "orgs": "organisations",
    "svcs": "services",
    "mgr": "manager",
    "sup": "supervisor",
    "supv": "supervisor",
    "convo": "conversation",
    "tbh": "honestly",
    "idk": "dont know",
}
"""Phone shorthand, read as the words it stands for (acronyms above are shown as typed, in capitals)."""

# Multi-word idioms -> one concept term. Matched on tokens after abbreviations are expanded.
PHRASES: dict[tuple[str, ...], str] = {
    ("eye", "contact"): "nonverbal",
    ("body", "language"): "nonverbal",
    ("tone", "of", "voice"): "nonverbal",
    ("has", "my", "back"): "backing",
    ("have", "my", "back"): "backing",
    ("got", "my", "back"): "backing",
    ("have", "each", "other", "back"): "backing",
    ("back", "each", "other", "up"): "backing",
    ("follow", "through"): "reliable",
    ("follows", "through"): "reliable",
    ("followed", "through"): "reliable",
    ("drop", "the", "ball"): "reliable",
    ("drops", "the", "ball"): "reliable",
    ("same", "page"): "aligned",
    ("lived", "experience"): "disclosure",
    ("lived", "experiences"): "disclosure",
    ("my", "story"): "disclosure",
    ("own", "story"): "disclosure",
    ("in", "the", "loop"): "communicate",
    ("check", "in"): "communicate",
    ("checks", "in"): "communicate",
    ("checking", "in"): "communicate",
    ("touch", "base"): "communicate",
    ("never", "give", "up"): "persist",
    ("dont", "give", "up"): "persist",
    ("not", "give", "up"): "persist",
    ("keep", "trying"): "persist",
    ("keep", "showing", "up"): "persist",
    ("hang", "in", "there"): "persist",
    ("give", "up"): "give_up",
    ("gave", "up"): "give_up",
    ("little", "things"): "little_things",
    ("small", "things"): "little_things",
    ("mixed", "messages"): "confused",
    ("finger", "pointing"): "blame",
    ("point", "fingers"): "blame",
    ("data", "entry"): "paperwork",
    ("double", "entry"): "duplicate paperwork",
    ("good", "at"): "strength",
    ("great", "at"): "strength",
    ("better", "at"): "strength",
    ("balance", "each", "other"): "strength",
    ("side", "by", "side"): "together",
    ("how", "far"): "success",
    ("peer", "support"): "peer",
    ("dual", "relationship"): "boundary",
    ("dual", "relationships"): "boundary",
    ("us", "vs", "them"): "us_them",
    ("them", "vs", "us"): "us_them",
    ("us", "versus", "them"): "us_them",
    ("them", "versus", "us"): "us_them",
    ("in", "charge"): "authority",
    ("final", "say"): "authority",
}

_CONCEPT_GROUPS: dict[str, tuple[str, ...]] = {
    "trust": ("trust", "trusts", "trusted", "trusting", "trustworthy", "trustworthiness"),
    "reliable": (
        "reliable",
        "reliability",
        "dependable",
        "dependability",
        "depend",
        "depends",
        "rely",
        "relies",
        "relied",
        "consistent",
        "consistently",
    ),
    "backing": (
        "backup",
        "cover",
        "covers",
        "covered",
        "covering",
        "support",
        "supports",
        "supported",
        "supportive",
        "supporting",
    ),
    "communicate": (
        "communicate",
        "communicates",
        "communicated",
        "communicating",
        "communication",
        "communications",
        "talk",
        "talks",
        "talked",
        "talking",
        "call",
        "calls",
        "called",
        "calling",
        "text",
        "texts",
        "texting",
        "email",
        "emails",
        "huddle",
        "huddles",
        "tell",
        "tells",
        "told",
    ),
    "listen": ("listen", "listens", "listened", "listening", "hear", "hears", "heard", "hearing"),
    "respect": ("respect", "respects", "respected", "respectful", "respecting", "dignity"),
    "humour": (
        "humor",
        "humour",
        "humorous",
        "funny",
        "laugh",
        "laughs",
        "laughed",
        "laughing",
        "laughter",
        "joke",
        "jokes",
        "joked",
        "joking",
        "fun",
        "silly",
    ),
    "goal": ("goal", "goals", "aim", "aims", "purpose", "vision", "objective", "objectives"),
    "mission": ("mission", "missions", "mandate", "mandates", "mandated"),
    "confidential": (
        "confidential",
        "confidentiality",
        "privacy",
        "private",
        "hipaa",
        "consent",
        "consents",
        "release",
        "releases",
        "roi",
    ),
    "funding": (
        "funding",
        "fund",
        "funds",
        "funded",
        "money",
        "pay",
        "pays",
        "paid",
        "paying",
        "budget",
        "budgets",
        "cost",
        "costs",
    ),
    "paperwork": ("paperwork", "paper", "papers", "forms", "documentation"),
    "duplicate": ("duplicate", "duplicated", "duplication", "double", "redundant"),
    "jargon": ("jargon", "acronym", "acronyms", "terminology", "lingo", "buzzword", "buzzwords"),
    "blame": ("blame", "blames", "blamed", "blaming", "scapegoat", "scapegoating"),
    "delay": (
        "delay",
        "delays",
        "delayed",
        "wait",
        "waits",
        "waiting",
        "waitlist",
        "waitlists",
        "backlog",
        "slow",
    ),
    "confused": ("confuse", "confused", "confusing", "confusion"),
    "overwhelm": ("overwhelm", "overwhelmed", "overwhelming"),
    "family": ("family", "families", "parent", "parents", "caregiver", "caregivers"),
    "child": ("child", "children", "kid", "kids", "youth"),
    "client": ("client", "clients", "participant", "participants", "consumer", "consumers"),
    "coworker": ("coworker", "coworkers", "colleague", "colleagues"),
    "agency": ("agency", "agencies", "organisation", "organisations", "organization", "organizations"),
    "feeling": ("feeling", "feelings", "emotion", "emotions", "emotional"),
    "uneasy": (
        "nervous",
        "anxious",
        "anxiety",
        "scared",
        "scary",
        "afraid",
        "fear",
        "worried",
        "worry",
        "worries",
        "uncomfortable",
        "awkward",
        "uneasy",
        "intimidating",
    ),
    "boundary": ("boundary", "boundaries"),
    "vulnerable": ("vulnerable", "vulnerability"),
    "disclosure": ("disclose", "discloses", "disclosed", "disclosing", "disclosure"),
    "validate": (
        "validate",
        "validates",
        "validated",
        "validating",
        "validation",
        "acknowledge",
        "acknowledged",
        "acknowledging",
    ),
    "choice": ("choice", "choices", "choose", "chooses", "option", "options", "pick", "picks", "picked"),
    "explain": (
        "explain",
        "explains",
        "explained",
        "explaining",
        "explanation",
        "transparent",
        "transparency",
    ),
    "success": (
        "success",
        "successes",
        "successful",
        "succeed",
        "win",
        "wins",
        "progress",
        "achievement",
        "achievements",
        "accomplishment",
        "accomplishments",
    ),
    "hope": ("hope", "hopes", "hopeful", "optimism", "optimistic"),
    "persist": ("persist", "persistent", "persistence"),
    "strength": (
        "strength",
        "strengths",
        "skill",
        "skills",
        "talent",
        "talents",
        "complement",
        "complements",
        "complementary",
    ),
    "together": ("together", "alongside", "jointly"),
    "authentic": ("authentic", "authenticity", "genuine", "human", "real"),
    "authority": ("authority", "power", "decide", "decides", "decided", "decision", "decisions"),
    "aligned": ("aligned", "align", "alignment"),
    "safety": ("safety", "safe", "protection", "protect", "protecting"),
    "court": ("court", "courts", "judge", "judges", "hearing", "hearings"),
}
# An acronym's expansion is one term, whether typed short ("MH") or long ("mental health").
for _expansion in ABBREVIATIONS.values():
    if " " in _expansion:
        PHRASES.setdefault(tuple(_expansion.split()), _expansion.replace(" ", "_"))

CONCEPTS: dict[str, str] = {word: concept for concept, words in _CONCEPT_GROUPS.items() for word in words}

_STOP_TEXT = """
    a about above after again against all almost also always am an and any anyone anything are around as
    at be because been before being below between both but by can cant could did didnt do does doesnt
    doing dont down during each either else even ever every everyone everything few for from further get
    gets getting go goes going gone got had has have having he her here hers herself him himself his how
    i if im in into is isnt it its itself just keep kept know lets like lot lots made make makes making
    many may me might mine more most much must my myself need needs never no nobody none nor not nothing
    now of off often ok okay on once one only or other others our ours ourselves out over own per quite
    rather really same she should so some someone something sometimes still stuff such than that thats
    the their theirs them themselves then there these they thing things this those though through to too
    under until up upon us very want wants was wasnt way we well went were what when where whether which
    while who whom whose why will with within without wont would yeah yes yet you your yours yourself
    feel feels felt lol haha etc vs versus via w whats hes shes theyre youre ive id theres knows knowing
    knew known actually basically literally totally completely especially esp definitely kinda sorta
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_ACTOR_TEXT = """
    agency agencies partner partners family families parent parents caregiver caregivers mom moms mother
    mothers dad dads father fathers child children kid kids youth client clients participant participants
    student students coworker coworkers colleague colleagues caseworker caseworkers staff
    team teams supervisor supervisors manager managers probation police cops court courts judge judges
    attorney attorneys lawyer lawyers school schools teacher teachers therapist therapists clinician
    clinicians counselor counselors nurse nurses doctor doctors hospital people person
    ngo ngos dhhs hotline unit units department
"""
ACTORS = frozenset(_ACTOR_TEXT.split()) | {
    "child_welfare", "mental_health", "behavioral_health", "law_enforcement", "probation_officer",
    "social_worker", "case_manager", "foster_care", "public_health_nurse", "community_organisation",
    "employment_specialist", "adult_protective_services", "substance_abuse",
}  # fmt: skip
"""Words that name who is involved. In a partnership workshop nearly every note names someone, so
these say less about a note's theme than what it says about them ("MH won't share info")."""

_PHRASE_SIZES: dict[str, tuple[int, ...]] = {
    first: tuple(sorted({len(p) for p in PHRASES if p[0] == first}, reverse=True))
    for first in sorted({phrase[0] for phrase in PHRASES})
}
"""For each word that starts an idiom, the idioms' lengths, longest first."""
_KNOWN = (
    frozenset(CONCEPTS)
    | {word for phrase in PHRASES for word in phrase}
    | {word for expansion in (*ABBREVIATIONS.values(), *SHORTHAND.values()) for word in expansion.split()}
)
"""Words the lexicon knows: never 'corrected', and the preferred targets of a correction."""


# ---- normalising one text ------------------------------------------------------------------------

_WORD = re.compile(r"(?:\b[Cc][Oo]-)?[^\W_]+(?:'[^\W_]+)?")  # "co-wrote" is one word
_CLITICS = frozenset({"s", "re", "ll", "ve", "d", "m"})
_LEXICON_ACRONYMS = frozenset({"hipaa", "roi"})


@dataclass(frozen=True)
class _Token:
    """One word of a note: ``word`` to compare (casefolded, expanded), ``shown`` for a label."""

    word: str
    shown: str


@dataclass(frozen=True)
class _Unit:
    """A word or idiom of a note that carries meaning: its terms, and where it sits among the tokens."""

    display: str
    terms: tuple[str, ...]
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    """Words split on punctuation, casefolded, clitics dropped ("she's" -> she), shorthand expanded."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    text = re.sub(r"\bw/o\b", " without ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bw/", " with ", text, flags=re.IGNORECASE)
    text = re.sub(r"\bb/c\b", " because ", text, flags=re.IGNORECASE)
    tokens: list[_Token] = []
    for match in _WORD.finditer(text):
        typed = match.group()
        if "'" in typed:
            head, tail = typed.split("'", 1)
            typed = head if tail.casefold() in _CLITICS else head + tail
        word = typed.casefold().replace("-", "")
        if word.isdigit() and len(word) < 3:
            continue
        if word in ABBREVIATIONS:
            tokens.extend(_Token(part, word.upper()) for part in ABBREVIATIONS[word].split())
        elif word in SHORTHAND:
            tokens.extend(_Token(part, part) for part in SHORTHAND[word].split())
        else:
            tokens.append(
                _Token(word, typed if _keeps_case(typed, word, first=not tokens) else typed.casefold())
            )
    return tokens


def _keeps_case(typed: str, word: str, *, first: bool) -> bool:
    """Acronyms ("DHHS", "NGOs") and names ("Thresholds") keep their capitals in a label."""
    if word in STOP_WORDS or (word in _KNOWN and word not in _LEXICON_ACRONYMS):
        return False
    capitals = sum(char.isupper() for char in typed)
    return capitals >= 2 or (capitals == 1 and typed[0].isupper() and not first)


@functools.lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A light suffix stripper: trusting -> trust, communication/communicates -> communic."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, replacement in (("sses", "ss"), ("ies", "y"), ("ied", "y")):
        if word.endswith(suffix):
            word = word[: -len(suffix)] + replacement
            break
    else:
        if word.endswith("s") and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and any(vowel in stem for vowel in "aeiouy"):
            word = stem
            if word.endswith(("at", "bl", "iz", "is")):
                word += "e"
            elif len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    for _ in range(2):
        for suffix in _DERIVATIONAL:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 4 and not (suffix == "ly" and stem.endswith("i")):
                word = stem
                break
        else:
            break
    if len(word) > 4 and word[-1] in "eiy":
        word = word[:-1]
    return word


_DERIVATIONAL = (
    "ization", "isation", "ational", "fulness", "iveness", "ousness", "ation", "ition", "ments", "ment",
    "ness", "ality", "ity", "est", "ive", "ful", "ous", "able", "ible", "ance", "ence", "ism", "ist", "ally",
    "ly", "ate", "ize", "ise", "al", "er",
)  # fmt: skip
_ACTOR_TERMS = frozenset(CONCEPTS.get(word) or _stem(word) for word in ACTORS)


def _within_one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter inserted, deleted, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    return a[i + 1 :] == b[i + 1 :] or (
        i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    )


def _deletions(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class _Speller:
    """Corrects one-edit typos: to a lexicon word, else to a more frequent word of the same notes."""

    def __init__(self, counts: Counter[str], extra_known: Iterable[str]) -> None:
        self._counts = counts
        candidates = sorted(
            ({word for word in _KNOWN | set(extra_known) if len(word) >= 4} - STOP_WORDS)
            | {word for word in counts if len(word) >= 6 and word not in STOP_WORDS}
        )
        self._known = _KNOWN | set(extra_known)
        self._index: dict[str, list[str]] = {}
        for word in candidates:
            for key in _deletions(word):
                self._index.setdefault(key, []).append(word)

    def correct(self, token: _Token) -> _Token:
        """The token with its word corrected (and shown corrected), or the token itself."""
        word = token.word
        if len(word) < 5 or word in self._known or word in STOP_WORDS or not word.isalpha():
            return token
        own = self._counts[word]
        found = {
            candidate
            for key in _deletions(word)
            for candidate in self._index.get(key, ())
            if candidate != word and _within_one_edit(word, candidate)
        }
        found = {c for c in found if _plausible_typo(word, c)}
        ranked = sorted(
            (c for c in found if c in self._known or self._counts[c] > own),
            key=lambda c: (c not in self._known, -self._counts[c], c),
        )
        return _Token(ranked[0], ranked[0]) if ranked else token


def _plausible_typo(typed: str, meant: str) -> bool:
    """Whether a thumb would make ``typed`` from ``meant``; the caller knows they are one edit apart.

    A letter more or less at the end is morphology ("office"/"officer"), not a typo. A replaced
    letter must be a neighbouring key ("respwct"), else it is another word ("shared"/"scared").
    """
    if typed[:-1] == meant or meant[:-1] == typed:
        return False
    if len(typed) != len(meant):
        return True
    diffs = [i for i in range(len(typed)) if typed[i] != meant[i]]
    if len(diffs) == 2:  # two neighbours swapped
        return True
    return meant[diffs[0]] in _NEIGHBOUR_KEYS.get(typed[diffs[0]], "")


def _neighbour_keys() -> dict[str, str]:
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    place = {key: (row, col + 0.5 * row) for row, keys in enumerate(rows) for col, key in enumerate(keys)}
    return {
        key: "".join(
            other
            for other, (row2, x2) in place.items()
            if other != key and abs(row - row2) <= 1 and abs(x - x2) <= 1.0
        )
        for key, (row, x) in place.items()
    }


_NEIGHBOUR_KEYS = _neighbour_keys()


def _units(tokens: list[_Token]) -> list[_Unit]:
    """Idioms, concepts, stop words and stems: the note's meaningful units, each with its terms."""
    units: list[_Unit] = []
    i = 0
    while i < len(tokens):
        for size in _PHRASE_SIZES.get(tokens[i].word, ()):
            phrase = tuple(token.word for token in tokens[i : i + size])
            if len(phrase) == size and phrase in PHRASES:
                units.append(_Unit(_shown(tokens[i : i + size]), tuple(PHRASES[phrase].split()), i, i + size))
                i += size
                break
        else:
            token = tokens[i]
            if token.word not in STOP_WORDS:
                term = CONCEPTS.get(token.word) or _stem(token.word)
                units.append(_Unit(token.shown, (term,), i, i + 1))
            i += 1
    return units


def _shown(tokens: Sequence[_Token]) -> str:
    """Tokens as a label shows them: an acronym's expanded words appear once, as typed ("MH")."""
    words = [token.shown for token in tokens]
    return " ".join(word for k, word in enumerate(words) if k == 0 or word != words[k - 1])


def _trigrams(tokens: Iterable[_Token]) -> tuple[Counter[str], set[str]]:
    """Character trigrams of the content words, padded ("#tr", "tru", "rus", "ust", "st#"), and
    those that come only from words naming who is involved."""
    grams: Counter[str] = Counter()
    other: set[str] = set()
    for token in tokens:
        if token.word not in STOP_WORDS:
            padded = f"#{token.word}#"
            word_grams = [padded[i : i + 3] for i in range(len(padded) - 2)]
            grams.update(word_grams)
            if token.word not in ACTORS:
                other.update(word_grams)
    return grams, set(grams) - other


# ---- vectors and similarity ----------------------------------------------------------------------


def _weigh(
    docs: list[Counter[str]], prompt_docs: list[set[str]], actors: list[set[str]]
) -> list[dict[str, float]]:
    """Unit-length vectors: sublinear TF times smoothed IDF; terms common to every prompt damped,
    and a note's ``actors`` (terms that name who is involved) weighted by ``ACTOR_WEIGHT``."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    n = len(docs)
    context = set.intersection(*prompt_docs) if prompt_docs else set()
    vectors = []
    for doc, doc_actors in zip(docs, actors, strict=True):
        vector: dict[str, float] = {}
        for term in sorted(doc):
            tf = 1.0 + math.log(doc[term])
            idf = math.log((n + 1) / (df[term] + 1)) + 1.0
            vector[term] = tf * idf * (1.0 - PROMPT_DAMPING if term in context else 1.0)
            if term in doc_actors:
                vector[term] *= ACTOR_WEIGHT
        norm = math.sqrt(sum(weight * weight for weight in vector.values()))
        vectors.append({term: weight / norm for term, weight in vector.items()} if norm else {})
    return vectors


def _add_cosines(sims: list[list[float]], vectors: list[dict[str, float]], share: float) -> None:
    """Add ``share`` times every pairwise dot product of unit vectors to ``sims[i][j]`` (i < j).

    Goes through an inverted index, so only pairs that share a term cost anything.
    """
    postings: dict[str, list[tuple[int, float]]] = {}
    for index, vector in enumerate(vectors):
        for term, weight in vector.items():
            postings.setdefault(term, []).append((index, weight))
    for term in sorted(postings):
        posting = postings[term]
        for a in range(len(posting)):
            i, wi = posting[a]
            row, wi = sims[i], share * wi
            for j, wj in posting[a + 1 :]:
                row[j] += wi * wj


# ---- clustering ----------------------------------------------------------------------------------


def _average_linkage(sims: list[list[float]], threshold: float) -> list[list[int]]:
    """Agglomerate while the best mean pairwise similarity between two clusters is >= threshold.

    ``sims[i][j]`` for i < j. Ties go to the pair with the lowest indices. Each cluster keeps its best
    partner, so a merge rescans only the rows that pointed at the merged clusters: about O(n^2).
    """
    n = len(sims)
    link = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            link[i][j] = link[j][i] = sims[i][j]
    members = {i: [i] for i in range(n)}
    active = list(range(n))

    def best_of(i: int) -> tuple[float, int]:
        best, partner = -1.0, -1
        row = link[i]
        for j in active:
            if j != i and row[j] > best:
                best, partner = row[j], j
        return best, partner

    best = {i: best_of(i) for i in active}
    while len(active) > 1:
        top, i = max((best[k][0], -k) for k in active)
        i = -i
        j = best[i][1]
        if top < threshold:
            break
        a, b = min(i, j), max(i, j)
        size_a, size_b = len(members[a]), len(members[b])
        active.remove(b)
        members[a] += members.pop(b)
        del best[b]
        for k in active:
            if k != a:
                merged = (size_a * link[a][k] + size_b * link[b][k]) / (size_a + size_b)
                link[a][k] = link[k][a] = merged
        for k in active:
            partner = best[k][1] if k != a else -1
            if k == a or partner in (a, b):
                best[k] = best_of(k)
            elif link[k][a] > best[k][0] or (link[k][a] == best[k][0] and a < partner):
                best[k] = (link[k][a], a)
    return [sorted(members[k]) for k in sorted(members)]


# ---- the public function -------------------------------------------------------------------------


def group_notes(notes: Sequence[Note], *, prompts: Sequence[str] = ()) -> list[Theme]:
    """Group one breakout's notes by meaning: every note in exactly one theme, biggest theme first.

    ``prompts`` are the questions the rooms discussed; words common to all of them count for less.
    Themes of equal size are ordered by how many rooms they span, then by their first note id.
    Within a theme the most representative note comes first, then the others by similarity to it.
    Deterministic: the same notes in any order give the same themes. Raises ``ValueError`` if two
    notes share an id.
    """
    ordered = sorted(notes, key=lambda note: note.id)
    if len({note.id for note in ordered}) != len(ordered):
        raise ValueError("every note needs a unique id")
    if not ordered:
        return []

    typed = [_tokens(note.text) for note in ordered]
    prompt_tokens = [_tokens(prompt) for prompt in prompts]
    speller = _Speller(
        Counter(token.word for tokens in typed for token in tokens),
        {token.word for tokens in prompt_tokens for token in tokens},
    )
    tokens = [[speller.correct(token) for token in note_tokens] for note_tokens in typed]
    units = [_units(note_tokens) for note_tokens in tokens]
    prompt_units = [_units(p) for p in prompt_tokens]

    term_docs = [Counter(term for unit in note_units for term in unit.terms) for note_units in units]
    term_vectors = _weigh(
        term_docs,
        [{term for unit in p for term in unit.terms} for p in prompt_units],
        [_ACTOR_TERMS.intersection(term_doc) for term_doc in term_docs],
    )
    grams = [_trigrams(note_tokens) for note_tokens in tokens]
    gram_vectors = _weigh(
        [counts for counts, _ in grams],
        [set(_trigrams(p)[0]) for p in prompt_tokens],
        [actor_grams for _, actor_grams in grams],
    )
    sims = [[0.0] * len(ordered) for _ in ordered]  # sims[i][j], i < j: blended cosine
    _add_cosines(sims, term_vectors, 1.0 - CHAR_WEIGHT)
    if CHAR_WEIGHT:
        _add_cosines(sims, gram_vectors, CHAR_WEIGHT)
    clusters = _average_linkage(sims, MERGE_THRESHOLD)

    def sim(i: int, j: int) -> float:
        return sims[min(i, j)][max(i, j)]

    themes: list[tuple[tuple[int, int, str], Theme]] = []
    for cluster in clusters:
        medoid = max(cluster, key=lambda i: (sum(sim(i, j) for j in cluster if j != i), -i))
        rest = sorted((j for j in cluster if j != medoid), key=lambda j: (-sim(medoid, j), j))
        order = [medoid, *rest]
        label = _label(order, units, tokens, term_vectors) or _fallback_label(ordered[medoid].text)
        rooms = {ordered[i].room for i in cluster}
        key = (-len(cluster), -len(rooms), ordered[cluster[0]].id)
        themes.append((key, Theme(label, tuple(ordered[i].id for i in order))))
    return [theme for _, theme in sorted(themes, key=lambda item: item[0])]


# ---- labels --------------------------------------------------------------------------------------


def _label(
    order: list[int], units: list[list[_Unit]], tokens: list[list[_Token]], vectors: list[dict[str, float]]
) -> str:
    """At most four of the medoid's own consecutive words, chosen for what the theme's notes share.

    A term scores the weight it carries across the theme; in a theme of several notes, only terms
    that at least two of its notes use score at all. The label is the stretch of the medoid that
    starts and ends on scoring units and has the highest total, each term counted once (ties: fewer
    words, then earlier): "Has my back", "Naming the elephant". A label of a single unit is written
    the way most of the theme's notes write it. Empty when no unit of the medoid scores.
    """
    medoid = order[0]
    spread: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    for i in order:
        for term, value in vectors[i].items():
            spread[term] += 1
            weight[term] += value
    scoring = {term for term in weight if spread[term] >= 2 or len(order) == 1}
    own = [unit for unit in units[medoid] if scoring.intersection(unit.terms)]
    note = tokens[medoid]
    best: tuple[float, int, int] | None = None  # value, -words, -first
    span = (0, 0)
    for first in range(len(own)):
        terms: set[str] = set()
        for last in range(first, len(own)):
            size = len(_shown(note[own[first].start : own[last].end]).split())
            if size > MAX_LABEL_WORDS:
                break
            terms.update(scoring.intersection(own[last].terms))
            candidate = (sum(weight[t] for t in sorted(terms)), -size, -first)
            if best is None or candidate > best:
                best, span = candidate, (first, last)
    if best is None:
        return ""
    first, last = span
    if first == last:
        text = _display_forms(order, units).get(own[first].terms, own[first].display)
    else:
        text = _shown(note[own[first].start : own[last].end])
    return text[:1].upper() + text[1:]


def _display_forms(order: list[int], units: list[list[_Unit]]) -> dict[tuple[str, ...], str]:
    """For each set of terms, the way most of the theme's notes write it (ties: the medoid's way)."""
    forms: dict[tuple[str, ...], Counter[str]] = {}
    for i in order:
        for unit in units[i]:
            forms.setdefault(unit.terms, Counter())[unit.display] += 1
    return {terms: counter.most_common(1)[0][0] for terms, counter in forms.items()}


def _fallback_label(text: str) -> str:
    """A note with no meaningful word ("??", "ok") is labelled with its first few words."""
    words = " ".join(text.split()[:MAX_LABEL_WORDS])
    return words[:40].strip() or "(blank note)"
