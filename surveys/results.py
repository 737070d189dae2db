"""Results of a survey per group, with small groups suppressed against differencing.

A *group* is the set of responses counted under the teams of one subtree (the
whole audience without `?team=`). Responses count under one team each (see
selectors.respondent_team), so the groups anyone can ask for form a tree, and
every count a reader can compute by adding and subtracting published groups is
a union of the tree's *remainders*: a shown group minus the shown groups right
below it.

The rule (README, "Surveys"), applied to the whole tree at once, the same for
every caller:
1. A group is shown only when it holds at least K (5) responses and the group
   above it is shown (the whole audience is the top).
2. Under a shown group, its children with at least K responses are candidates;
   while what remains of the group outside them (the responses of the team
   itself plus those of smaller children) is between 1 and K-1, the smallest
   candidate is suppressed as well, until the remainder is 0 or at least K.
So every remainder is empty or holds at least K responses, and no subtraction
of published results yields a group of 1 to K-1 responses.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum

from .choices import CHOICE_KINDS, SCALE_VALUES, QuestionKind
from .models import OptionTally, Survey, TeamTally, TextPool

K = 5
ROOT = ""  # the whole audience


def _parent(path: str) -> str:
    parts = path.strip("/").split("/")
    return ROOT if len(parts) <= 1 else "/" + "/".join(parts[:-1]) + "/"


def team_response_counts(survey: Survey) -> dict[str, int]:
    """Responses per team path (only teams that have any)."""
    return {path: n for path, n in TeamTally.objects.filter(survey=survey, responses__gt=0)
            .values_list("team__path", "responses")}


@dataclass(frozen=True)
class GroupSizes:
    sizes: dict[str, int]  # path (ROOT: the whole audience) -> responses in that subtree
    shown: frozenset[str]

    def size(self, path: str) -> int:
        return self.sizes.get(path, 0)

    def is_shown(self, path: str) -> bool:
        return path in self.shown


def group_sizes(direct: dict[str, int], k: int = K) -> GroupSizes:
    """Subtree sizes from the per-team counts, and which groups may be shown."""
    sizes: dict[str, int] = {ROOT: 0}
    children: dict[str, set[str]] = {ROOT: set()}
    for path, n in direct.items():
        node = path
        while True:
            sizes[node] = sizes.get(node, 0) + n
            parent = _parent(node)
            children.setdefault(parent, set()).add(node)
            children.setdefault(node, set())
            if node == ROOT or parent == ROOT:
                if node != ROOT:
                    sizes[ROOT] += n
                break
            node = parent
    shown: set[str] = set()
    if sizes[ROOT] >= k:
        shown.add(ROOT)
        stack = [ROOT]
        while stack:
            node = stack.pop()
            candidates = sorted((c for c in children.get(node, ()) if sizes[c] >= k), key=lambda c: (sizes[c], c))
            remainder = sizes[node] - sum(sizes[c] for c in candidates)
            while 0 < remainder < k and candidates:
                remainder += sizes[candidates.pop(0)]
            shown.update(candidates)
            stack.extend(candidates)
    return GroupSizes(sizes=sizes, shown=frozenset(shown))


def _tallies(survey: Survey, path: str) -> dict[tuple[int, int], int]:
    qs = OptionTally.objects.filter(survey=survey)
    if path:
        qs = qs.filter(team__path__startswith=path)
    return {(q, key): n for q, key, n in qs.values_list("question_id", "key").annotate(total=Sum("n"))
            .values_list("question_id", "key", "total").order_by()}


def _texts(survey: Survey, path: str, limit: int | None) -> dict[int, tuple[int, list[str]]]:
    """question id -> (how many answers, the answers or `limit` of them picked at random),
    in a fresh random order on every read: it never follows who wrote first."""
    qs = TextPool.objects.filter(survey=survey)
    if path:
        qs = qs.filter(team__path__startswith=path)
    texts: dict[int, list[str]] = {}
    for question_id, answers in qs.values_list("question_id", "answers").order_by():
        texts.setdefault(question_id, []).extend(answers)
    # Seeded from the OS for each read; a plain generator shuffles 100,000 answers in
    # milliseconds, where drawing each step from the OS would take a tenth of a second.
    rng = random.Random(os.urandom(32))
    out = {}
    for question_id, answers in texts.items():
        if limit is not None and len(answers) > limit:
            out[question_id] = (len(answers), rng.sample(answers, limit))
        else:
            rng.shuffle(answers)
            out[question_id] = (len(answers), answers)
    return out


def question_results(survey: Survey, questions, path: str, *, shown: bool, text_limit: int | None) -> list[dict]:
    if not shown:
        return [{"id": q.pk, "kind": q.kind, "text": q.text, "suppressed": True} for q in questions]
    tallies = _tallies(survey, path)
    texts = _texts(survey, path, text_limit) if any(q.kind == QuestionKind.TEXT for q in questions) else {}
    out = []
    for q in questions:
        row = {"id": q.pk, "kind": q.kind, "text": q.text, "suppressed": False}
        if q.kind in CHOICE_KINDS:
            row["counts"] = {option: tallies.get((q.pk, i), 0) for i, option in enumerate(q.options)}
        elif q.kind == QuestionKind.SCALE:
            counts = {str(v): tallies.get((q.pk, v), 0) for v in SCALE_VALUES}
            answered = sum(counts.values())
            row["counts"] = counts
            row["mean"] = round(sum(int(v) * n for v, n in counts.items()) / answered, 2) if answered else None
        else:
            total, answers = texts.get(q.pk, (0, []))
            row["answers_total"] = total
            row["answers"] = answers
        out.append(row)
    return out


def survey_results(survey: Survey, *, team=None, audience_size: int, text_limit: int | None = -1) -> dict:
    """The contract's results body for the whole audience or for `team`'s subtree."""
    if text_limit == -1:
        text_limit = getattr(settings, "SURVEY_TEXT_ANSWERS_LIMIT", 1000)
    groups = group_sizes(team_response_counts(survey))
    path = team.path if team is not None else ROOT
    responses = groups.size(path)
    shown = groups.is_shown(path)
    if "questions" in getattr(survey, "_prefetched_objects_cache", {}):
        questions = list(survey.questions.all())
    else:
        questions = list(survey.questions.order_by("position", "id"))
    return {
        "survey": survey.pk,
        "team": team.pk if team is not None else None,
        "responses": responses,
        "audience_size": audience_size,
        "response_rate": round(responses / audience_size, 4) if audience_size else 0.0,
        "suppressed": not shown,
        "min_group_size": K,
        "questions": question_results(survey, questions, path, shown=shown, text_limit=text_limit),
    }
