"""The privacy guard over a megabyte of the worst text we know for each pattern, and its
catch and false-alarm rates over tests/privacy_corpus.py."""

from benchmarks.worst_cases import worst_texts
from eoi.returns.privacy import find_personal_data

TARGET_SECONDS = 1.0
CATCH_TARGET = 0.97
FALSE_ALARM_TARGET = 0.02


def guard_rates() -> None:
    """What share of the corpus's personal data the guard catches, and what share of its
    ordinary prose it refuses."""
    from tests.privacy_corpus import HARMLESS, PERSONAL

    caught = sum(kind in {f.kind for f in find_personal_data(text)} for text, kind in PERSONAL)
    refused = sum(bool(find_personal_data(text)) for text in HARMLESS)
    catch, alarm = caught / len(PERSONAL), refused / len(HARMLESS)
    print(f"{'Privacy guard: personal data caught':<48} {caught:4}/{len(PERSONAL)} = "
          f"{catch:6.1%}  (target at least {CATCH_TARGET:.0%}: "
          f"{'ok' if catch >= CATCH_TARGET else 'MISSES TARGET'})")
    print(f"{'Privacy guard: ordinary prose refused':<48} {refused:4}/{len(HARMLESS)} = "
          f"{alarm:6.1%}  (target at most {FALSE_ALARM_TARGET:.0%}: "
          f"{'ok' if alarm <= FALSE_ALARM_TARGET else 'MISSES TARGET'})")


LINEAR_RATIO_TARGET = 3.0  # twice the text, at most three times the time (quadratic: four)


def guard_over_worst_texts(measure) -> None:
    find_personal_data("٣")  # the table of Unicode digits is built once, on first need
    for name, text in worst_texts(1_000_000).items():
        measure(f"Privacy guard, 1 MB of {name}", TARGET_SECONDS,
                lambda text=text: find_personal_data(text))
    half = worst_texts(500_000)
    for name, text in worst_texts(1_000_000).items():
        ratio = _best_of(text) / max(_best_of(half[name]), 1e-6)
        verdict = "ok" if ratio <= LINEAR_RATIO_TARGET else "NOT LINEAR"
        print(f"{'Guard, 1 MB over 0.5 MB of ' + name:<60} x{ratio:5.2f}  "
              f"(target at most x{LINEAR_RATIO_TARGET}: {verdict})")


def _best_of(text: str, runs: int = 3) -> float:
    import time

    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        find_personal_data(text)
        best = min(best, time.perf_counter() - started)
    return best
