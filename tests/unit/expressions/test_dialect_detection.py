"""Which language an expression is read in: the language attribute when it names one, else the text's
own marks (${…} or #{…} for JUEL, a leading = for FEEL), else Python as written."""

from __future__ import annotations

import pytest

from engine.expressions import ExpressionRefused, detect_dialect, translate


@pytest.mark.parametrize("text, expected", [
    ("${approved}", "juel"),
    ("#{amount > 1000 && !urgent}", "juel"),
    ("  ${approved}\n", "juel"),
    ("${a} and ${b}", "juel"),
    ("Total: ${amount}", "juel"),
    ("= amount > 1000", "feel"),
    ("=approved", "feel"),
    ("\n  = x", "feel"),
    ("amount > 1000", "python"),
    ("approved", "python"),
    ('"PT4H"', "python"),
    ("status == 'a ${b}'", "python"),
    ("x > 1  # {not JUEL}", "python"),
    ("", "python"),
])
def test_the_text_itself_says_which_language_it_is_in(text, expected):
    assert detect_dialect(text) == expected


@pytest.mark.parametrize("language, expected", [
    ("http://www.omg.org/spec/FEEL/20140401", "feel"),
    ("https://www.omg.org/spec/DMN/20191111/FEEL/", "feel"),
    ("http://www.omg.org/spec/DMN/20180521/FEEL/", "feel"),
    ("feel", "feel"),
    ("juel", "juel"),
    ("JUEL", "juel"),
    ("python", "python"),
])
def test_a_language_attribute_that_names_a_dialect_wins_over_the_text(language, expected):
    assert detect_dialect("amount > 1000", language) == expected
    assert detect_dialect("${amount > 1000}", language) == expected


@pytest.mark.parametrize("language", [None, "", "  ", "http://www.w3.org/1999/XPath", "urn:unknown:language"])
def test_xpath_the_bpmn_default_and_unknown_languages_leave_the_choice_to_the_text(language):
    assert detect_dialect("${approved}", language) == "juel"
    assert detect_dialect("= approved", language) == "feel"
    assert detect_dialect("approved", language) == "python"


@pytest.mark.parametrize("language", ["groovy", "javascript", "JavaScript", "js", "ecmascript"])
def test_a_script_language_is_refused_naming_it(language):
    with pytest.raises(ExpressionRefused) as caught:
        detect_dialect("amount > 1000", language)

    assert caught.value.construct == f"language '{language}'"
    assert language in caught.value.message


def test_python_is_kept_exactly_as_written():
    translation = translate("  amount > 1000 and approved\n", kind="condition")

    assert translation.dialect == "python"
    assert translation.python == "  amount > 1000 and approved\n"
    assert translation.translated is False


def test_a_translation_keeps_the_original_text_and_says_which_dialect_it_read():
    translation = translate("${approved}", kind="condition")

    assert (translation.dialect, translation.original, translation.kind) == ("juel", "${approved}", "condition")
    assert translation.translated is True
    assert translation.literal is False


def test_a_feel_language_attribute_reads_a_text_without_the_leading_equals_sign_as_feel():
    assert translate('season = "Winter"', kind="condition", language="feel").python == \
        'feel_cmp("==", feel_var("season"), "Winter")'
    assert translate('= season = "Winter"', kind="condition", language="feel").python == \
        'feel_cmp("==", feel_var("season"), "Winter")'


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="kind must be one of"):
        translate("${a}", kind="timer")
