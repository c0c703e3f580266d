"""Every service error says what kind of refusal it is, so the web maps kinds to HTTP statuses in one table."""

from __future__ import annotations

import importlib
import pathlib
import pkgutil

import pytest

import fairdue.service
from fairdue import errors
from fairdue.web import problems

# Raised only when a stored invariant or the shipped configuration is broken: a bug, not the caller's refusal.
INTERNAL_ERRORS = {
    "fairdue.service.servicing.plans.PlanStateInvalid",  # stored plan rows disagree with the plan
    "fairdue.service.collections.engine.NoStrategy",  # no shipped strategy serves a product we sell
}
# Context bases group a context's errors for `except`; only their subclasses are raised.
CONTEXT_BASES = {
    "fairdue.service.collections.engine.CollectionsError",
    "fairdue.service.dayend.runner.DayendError",
    "fairdue.service.portal.complaints.ComplaintError",
    "fairdue.service.portal.data_rights.DataRightsError",
    "fairdue.service.servicing.plan_requests.PlanRequestError",
}
EXPECTED_STATUS = {
    errors.Invalid: 422,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Forbidden: 403,
    errors.Unauthenticated: 401,
    errors.RateLimited: 429,
}


def _service_errors() -> list[type[errors.FairdueError]]:
    for mod in pkgutil.walk_packages(fairdue.service.__path__, "fairdue.service."):
        importlib.import_module(mod.name)
    seen, todo = set(), [errors.FairdueError]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    found = [c for c in seen if c.__module__.startswith("fairdue.service.")]
    assert len(found) > 30, "the walk found too few service errors; did an import fail?"
    return sorted(found, key=_name)


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _bases(cls: type) -> list[type]:
    return [b for b in errors.SEMANTIC_BASES if issubclass(cls, b)]


@pytest.mark.parametrize("cls", _service_errors(), ids=_name)
def test_every_service_error_has_exactly_one_semantic_base_or_is_listed(cls):
    bases = _bases(cls)
    if _name(cls) in INTERNAL_ERRORS | CONTEXT_BASES:
        assert bases == [], f"{_name(cls)} is listed as internal or a context base but has {bases}"
    else:
        assert len(bases) == 1, f"{_name(cls)} has semantic bases {[b.__name__ for b in bases]}; give it one"
    assert "http_status" not in vars(cls), f"{_name(cls)} still carries an HTTP status; its base decides"


def test_the_lists_name_only_classes_that_exist_and_context_bases_are_never_raised():
    names = {_name(c) for c in _service_errors()}
    assert names >= INTERNAL_ERRORS | CONTEXT_BASES
    source = "\n".join(f.read_text() for f in pathlib.Path(fairdue.service.__path__[0]).rglob("*.py"))
    for name in CONTEXT_BASES:
        assert f"raise {name.rsplit('.', 1)[1]}(" not in source, f"raise a subclass of {name} with a semantic base"


def test_problems_maps_every_semantic_base_to_its_status():
    assert {base: status for base, status, _slug in problems.STATUS_OF_BASE} == EXPECTED_STATUS
    assert set(errors.SEMANTIC_BASES) == set(EXPECTED_STATUS)
    for base, status in EXPECTED_STATUS.items():
        assert problems.status_for(base("x")) == status
        assert problems.problem_from(base("x")).status == status


def test_an_error_of_two_kinds_answers_with_the_more_specific_one():
    class Both(errors.Invalid, errors.NotFound):
        pass

    assert problems.status_for(Both("x")) == 404
