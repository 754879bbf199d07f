"""Posting exactly once: every target call goes through the queue's effect ledger.

    effect done?          -> the target already holds the item: use its external id
    effect in doubt?      -> an earlier call never answered: ask the target (lookup) first,
                             or post again only if the target deduplicates by itself
    record the intent     -> (item, target, idempotency key), by the lease owner only
    call the target       -> BusinessError: record the rejection (nothing was written)
    record the answer     -> the external id; the item's refs name it

A crash anywhere leaves either no intent (nothing was sent), an intent (ask the target next
time) or a settled effect (never call again). The intent needs the lease, so a runner whose
lease ran out does not call the target at all.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from backoffice.errors import BusinessError
from backoffice.queue.base import Effect, EffectState, Store, WorkItem

if TYPE_CHECKING:
    from backoffice.connectors.base import Target
    from backoffice.documents.models import Document

log = logging.getLogger(__name__)
IN_DOUBT = "effect-in-doubt"  # the code of a BusinessError raised when a write may have landed


def post_once(
    store: Store, owner: str, item: WorkItem, document: Document, target: Target, earlier: Effect | None
) -> str:
    """Post ``document`` to ``target`` unless the ledger or the target shows it is there; return
    the target's external id. ``earlier`` is the item's effect for this target, if any."""
    fields = {"bot": item.bot, "item": item.id, "target": target.name}
    if earlier is not None and earlier.state == EffectState.DONE:
        return earlier.external_id  # type: ignore[return-value]
    if earlier is None and target.name in item.refs:  # posted before the ledger existed
        return item.refs[target.name]
    in_doubt = earlier is not None and earlier.in_doubt
    if in_doubt and not (target.can_lookup or target.idempotent):
        raise BusinessError(
            f"{target.name}: an earlier post of this item got no answer, and {target.name} can neither "
            f"look it up nor deduplicate it; check {target.name} for key {earlier.key} before retrying",  # type: ignore[union-attr]
            code=IN_DOUBT,
        )
    target.check_available()
    effect = store.intend(item.id, owner, target.name, target.idempotency_key(item))
    if effect.state == EffectState.DONE:  # settled meanwhile by the runner that lost this lease
        return effect.external_id  # type: ignore[return-value]
    ref = target.lookup(item, document) if in_doubt and target.can_lookup else None
    if ref is not None:
        log.info("item %s was already in %s as %s", item.id, target.name, ref, extra={**fields, "action": "found"})
    else:
        try:
            ref = target.post(item, document)
        except BusinessError as exc:  # the target refused the data: nothing was written
            if exc.code != IN_DOUBT:
                store.reject(item.id, target.name, reason=exc.reason)
            raise
    settled = store.settle(item.id, target.name, ref)
    if settled.external_id != ref:
        log.error(
            "item %s: %s answered %s but the ledger already holds %s; keeping the first",
            item.id, target.name, ref, settled.external_id, extra={**fields, "action": "ledger-conflict"},
        )  # fmt: skip
    return settled.external_id  # type: ignore[return-value]
