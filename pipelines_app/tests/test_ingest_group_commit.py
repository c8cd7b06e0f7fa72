"""Group commit: concurrent requests share a write, each gets its own answer, and the callers a group
answered are waited for (a moment at most) so they join the next group instead of the one after."""

import threading

from pipelines_app.ingest.commit import GroupCommitter


class Writer:
    """Records each group; the first write waits until released; refuses the events named 'bad'."""

    def __init__(self):
        self.groups: list[list[str]] = []
        self.first_started = threading.Event()
        self.release = threading.Event()

    def __call__(self, events):
        if not self.groups:
            self.first_started.set()
            self.release.wait()
        self.groups.append(list(events))
        return [ValueError(e) if e.startswith("bad") else None for e in events]


def submit_in_thread(committer, events, answers):
    thread = threading.Thread(target=lambda: answers.__setitem__(events[0], committer.submit(events)))
    thread.start()
    return thread


def test_the_callers_a_group_answered_join_the_next_group_with_those_waiting():
    writer = Writer()
    committer = GroupCommitter(writer)
    committer.linger_s = 600  # the test must not depend on timing: only arrivals end the wait
    answers: dict[str, list] = {}

    first = submit_in_thread(committer, ["a1"], answers)
    writer.first_started.wait()
    waiting = [submit_in_thread(committer, [name], answers) for name in ("b1", "bad2", "b3", "b4")]
    while len(committer._pending) < 4:  # all four queued behind the write in progress
        threading.Event().wait(0.001)
    writer.release.set()
    first.join()
    # Five requests were in flight when the first write ended: the next group waits for the caller
    # it answered to come back, and takes all five together.
    answers["a2"] = committer.submit(["a2"])
    for thread in waiting:
        thread.join()

    assert writer.groups[0] == ["a1"]
    assert sorted(writer.groups[1]) == ["a2", "b1", "b3", "b4", "bad2"]
    assert len(writer.groups) == 2
    assert answers["a1"] == [None] and answers["a2"] == [None] and answers["b3"] == [None]
    assert [str(e) for e in answers["bad2"]] == ["bad2"]  # each request gets its own events' answers


def test_a_lone_caller_never_waits_for_others():
    writer = Writer()
    writer.release.set()
    committer = GroupCommitter(writer)
    committer.linger_s = 600  # a wait would hang the test

    answers = [committer.submit([f"e{n}"]) for n in range(3)]

    assert writer.groups == [["e0"], ["e1"], ["e2"]]
    assert answers == [[None], [None], [None]]


def test_a_caller_its_group_answered_returns_while_the_next_group_waits_for_arrivals():
    writer = Writer()
    committer = GroupCommitter(writer)
    committer.linger_s = 600  # the next group's writer waits for arrivals, never for the clock
    committer._expected = 2  # the first group waits for both a1 and b1
    answers: dict[str, list] = {}

    first = submit_in_thread(committer, ["a1"], answers)
    answered = submit_in_thread(committer, ["b1"], answers)
    writer.first_started.wait()
    next_writer = submit_in_thread(committer, ["c1"], answers)
    while len(committer._pending) < 1:  # c1 queued behind the write in progress
        threading.Event().wait(0.001)
    writer.release.set()

    # c1 now writes the next group and waits (up to 600 s) for the callers just answered to come
    # back; b1, answered by the first group, must not wait with it.
    answered.join(timeout=30)
    first.join(timeout=30)
    assert not answered.is_alive() and not first.is_alive()
    assert answers["b1"] == [None] and next_writer.is_alive()

    arrivals = [submit_in_thread(committer, [name], answers) for name in ("d1", "e1")]  # waited for
    for thread in [*arrivals, next_writer]:
        thread.join(timeout=30)
    assert sorted(writer.groups[0]) == ["a1", "b1"]
    assert sorted(writer.groups[1]) == ["c1", "d1", "e1"]
