"""The runner posts through the effect ledger: nothing twice, nothing lost."""

from __future__ import annotations

import random
import threading
import time

import pytest

from backoffice.bots import Runner
from backoffice.config import load_config
from backoffice.queue.base import EffectState, NewItem, Status
from backoffice.queue.memory import MemoryStore
from tests.fakes import PlainTarget, RecordingTarget, invoice


@pytest.fixture(autouse=True)
def _reset():
    RecordingTarget.posts, RecordingTarget.lookups, PlainTarget.posts = [], [], []


def make_runner(deployment, targets: str, *, bots: int = 1, lease: float = 300) -> tuple[Runner, MemoryStore]:
    listed = "".join(
        f"""
          - name: bot{n}
            source: {{kind: folder, path: inbox{n}, create: true}}
            targets: {targets}
            retry: {{max_attempts: 5, backoff_seconds: 10, jitter: 0}}
        """
        for n in range(bots)
    )
    path = deployment(f"runner: {{lease_seconds: {lease}}}\nbots:{listed}")
    store = MemoryStore()
    return Runner(load_config(path), store, owner="runner-1", rng=random.Random(1)), store


def queue(store: MemoryStore, bot: str = "bot0", key: str = "doc-1"):
    return store.enqueue(NewItem(bot, key, payload={"document": invoice().to_dict()}))[0]


def crash_after_intent(store: MemoryStore, item_id: int, target: str, key: str = "k") -> None:
    """A runner that recorded its intent, maybe called the target, and died."""
    [claimed] = store.claim("dead-runner")
    assert claimed.id == item_id
    store.intend(item_id, "dead-runner", target, key)
    store.release(item_id, "dead-runner")


def test_each_post_is_recorded_in_the_ledger(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]')
    item = queue(store)
    assert runner.process_next().status == Status.DONE
    [effect] = store.effects(item.id)
    assert (effect.target, effect.state, effect.external_id, effect.calls) == ("erp", EffectState.DONE, f"erp-{item.id}", 1)
    assert effect.key == runner.bots["bot0"].targets[0].idempotency_key(item)


def test_a_call_in_doubt_that_landed_is_found_and_not_posted_again(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]')
    item = queue(store)
    crash_after_intent(store, item.id, "erp")
    RecordingTarget.posts.append(("erp", item.id))  # the dead runner's call had reached the ERP
    done = runner.process_next()
    assert done.status == Status.DONE and done.refs == {"erp": f"erp-{item.id}"}
    assert RecordingTarget.posts == [("erp", item.id)] and RecordingTarget.lookups == [("erp", item.id)]


def test_a_call_in_doubt_that_did_not_land_is_posted(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]')
    item = queue(store)
    crash_after_intent(store, item.id, "erp")
    assert runner.process_next().status == Status.DONE
    assert RecordingTarget.posts == [("erp", item.id)]
    assert store.effects(item.id)[0].calls == 2


def test_a_call_in_doubt_to_a_target_that_cannot_tell_goes_to_a_person(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:PlainTarget", name: plain}]')
    item = queue(store)
    crash_after_intent(store, item.id, "plain", key="bo-123")
    stopped = runner.process_next()
    assert (stopped.status, stopped.error_code) == (Status.EXCEPTION, "effect-in-doubt")
    assert "check plain for key bo-123" in stopped.reason
    assert PlainTarget.posts == [] and store.effects(item.id)[0].in_doubt  # still in doubt: nothing decided


def test_a_refusal_is_recorded_as_nothing_written(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp, fail_with: business, fail_times: 1}]')
    item = queue(store)
    assert runner.process_next().status == Status.EXCEPTION
    [effect] = store.effects(item.id)
    assert (effect.state, effect.reason) == (EffectState.REJECTED, "vendor unknown in ERP")
    store.retry(item.id, actor="alice")  # a person fixed the vendor in the ERP
    assert runner.process_next().status == Status.DONE
    assert RecordingTarget.lookups == []  # rejected means nothing was written: no need to ask


def test_a_target_done_before_a_crash_is_not_called_again(deployment):
    runner, store = make_runner(
        deployment, '[{kind: "tests.fakes:RecordingTarget", name: first}, {kind: "tests.fakes:RecordingTarget", name: second}]'
    )
    item = queue(store)
    [claimed] = store.claim("dead-runner")
    store.intend(item.id, "dead-runner", "first", "k1")
    store.settle(item.id, "first", "F-1")
    store.release(item.id, "dead-runner")
    assert runner.process_next().refs == {"first": "F-1", "second": f"second-{item.id}"}
    assert RecordingTarget.posts == [("second", item.id)]


def test_a_paused_target_releases_its_item_and_its_bot_waits_while_others_go_on(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]', bots=2)
    first = queue(store, "bot0", "a")
    runner.bots["bot0"].targets[0].paused = True
    released = runner.handle(store.claim("runner-1", bots=["bot0"])[0])
    assert (released.status, released.attempts) == (Status.PENDING, 0)  # no attempt used
    assert runner.process_next() is None  # bot0's work waits
    other = queue(store, "bot1", "b")
    assert runner.process_next().id == other.id  # bot1 goes on
    runner.bots["bot0"].targets[0].paused = False
    assert runner.process_next().id == first.id


def test_the_heartbeat_keeps_the_lease_during_a_slow_post(deployment, monkeypatch):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]', lease=0.3)
    item = queue(store)
    extended = threading.Event()
    real_extend = store.extend

    def extend(*args, **kwargs):
        real_extend(*args, **kwargs)
        extended.set()

    def slow_post(self, item, document):
        assert extended.wait(5), "the heartbeat never renewed the lease"
        assert store.get(item.id).lease_expires.timestamp() > time.time()
        return "slow-ok"

    monkeypatch.setattr(store, "extend", extend)
    monkeypatch.setattr(RecordingTarget, "post", slow_post)
    try:
        done = runner.process_next()
    finally:
        runner.close()
    assert done.status == Status.DONE and done.refs == {"erp": "slow-ok"}
    assert not any(e.action == "lease-expired" for e in store.journal(item.id))


def test_after_a_pause_one_trial_post_goes_through_the_ledger(deployment):
    import httpx

    from backoffice.connectors.rest import RestSettings, RestTarget

    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp}]')
    answers = [httpx.Response(503), httpx.Response(201, json={"id": "INV-1"})]
    settings = RestSettings.model_validate({
        "kind": "rest", "name": "erp", "base_url": "http://erp.test", "idempotency_header": "Idempotency-Key",
        "retry": {"attempts": 1}, "circuit": {"failures": 1, "reset_seconds": 30},
    })  # fmt: skip
    target = RestTarget(settings, runner.bots["bot0"].context, transport=httpx.MockTransport(lambda r: answers.pop(0)))
    clock = [0.0]
    target.breaker.clock = lambda: clock[0]
    runner.bots["bot0"].targets = [target]
    item = queue(store)
    assert runner.process_next().status == Status.RETRYING  # the 503 opened the circuit
    store.clock = lambda: time.time() + 3600  # the item is due again
    assert runner.process_next() is None  # ... but its bot is paused
    clock[0] = 31.0
    done = runner.process_next()  # the trial
    assert (done.id, done.status, done.refs) == (item.id, Status.DONE, {"erp": "INV-1"})
