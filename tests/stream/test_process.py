"""Process tuning runs in child processes: it changes process-wide state for good."""

import subprocess
import sys

CHILD = """
import gc, resource, sys, numpy as np
from orchestrator.stream import process
if sys.argv[1] == "tuned":
    assert process.tune() and process.tune()  # glibc here; a second call changes nothing
    assert gc.get_threshold() == process.GC_THRESHOLDS and gc.get_freeze_count() > 0
    import cv2
    assert cv2.getNumThreads() == 1
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    np.ones(40 << 20, np.uint8)  # warm: the heap grows once
before = faults()
for _ in range(20):
    np.ones(40 << 20, np.uint8)  # a 40 MB buffer made and freed 20 times
print(faults() - before)
"""


def faults(mode: str) -> int:
    argv = [sys.executable, "-c", CHILD, mode]
    return int(subprocess.run(argv, capture_output=True, text=True, check=True).stdout)


def test_a_tuned_process_reuses_large_buffers_instead_of_faulting_them_in_again() -> None:
    """Untuned, a buffer above glibc's largest automatic mmap threshold (32 MB) is a fresh
    mapping each time, faulted in page by page; tuned, the heap's memory is reused."""
    tuned, untuned = faults("tuned"), faults("default")
    assert tuned * 4 < untuned, (tuned, untuned)
