from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from events.timezones import (
    FOLD_SUMMER,
    FOLD_WINTER,
    is_ambiguous,
    is_nonexistent,
    paris_to_utc,
)


def test_summer_time_is_two_hours_ahead_of_utc():
    assert paris_to_utc(datetime(2021, 5, 12, 10, 0)) == datetime(2021, 5, 12, 8, 0, tzinfo=UTC)


def test_winter_time_is_one_hour_ahead_of_utc():
    assert paris_to_utc(datetime(2027, 1, 19, 14, 0)) == datetime(2027, 1, 19, 13, 0, tzinfo=UTC)


def test_time_in_the_spring_gap_is_refused_with_a_french_message():
    naive = datetime(2027, 3, 28, 2, 30)
    assert is_nonexistent(naive)
    with pytest.raises(ValidationError) as error:
        paris_to_utc(naive)
    assert error.value.code == "nonexistent_time"
    assert error.value.messages == [
        "L’heure du 28/03/2027 à 02:30 n’existe pas à Paris : ce jour-là, les horloges passent "
        "directement de 2 h à 3 h (passage à l’heure d’été). Choisissez une autre heure."
    ]


def test_times_around_the_gap_are_accepted():
    assert paris_to_utc(datetime(2027, 3, 28, 1, 59)) == datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert paris_to_utc(datetime(2027, 3, 28, 3, 0)) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_time_in_the_autumn_fold_must_say_which_occurrence():
    naive = datetime(2027, 10, 31, 2, 30)
    assert is_ambiguous(naive)
    with pytest.raises(ValidationError) as error:
        paris_to_utc(naive)
    assert error.value.code == "ambiguous_time"
    assert "existe deux fois à Paris" in error.value.messages[0]


def test_fold_choice_selects_summer_or_winter_offset():
    naive = datetime(2027, 10, 31, 2, 30)
    assert paris_to_utc(naive, fold=FOLD_SUMMER) == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert paris_to_utc(naive, fold=FOLD_WINTER) == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)


def test_ordinary_time_is_neither_ambiguous_nor_missing():
    naive = datetime(2027, 10, 31, 3, 30)
    assert not is_ambiguous(naive)
    assert not is_nonexistent(naive)
