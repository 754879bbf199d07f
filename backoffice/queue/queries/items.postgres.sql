-- What PostgreSQL says otherwise than items.sql: row locks where SQLite's one writer needs none,
-- and the hot path (claim, complete, expiry) in one statement each, the journal row written by a
-- data-modifying CTE in the same round trip.

-- name: state
SELECT status, lease_owner, attempts, max_attempts FROM items WHERE id = :id FOR UPDATE;

-- name: status
SELECT status FROM items WHERE id = :id FOR UPDATE;

-- name: journal_enqueued
INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
SELECT id, :now, :actor, 'enqueue', NULL, 'pending', '' FROM unnest(:ids::bigint[]) AS id;

-- name: notify
SELECT pg_notify(:channel, :bot);

-- name: expire
-- lifecycle.expired, for every lease run out, in one statement.
WITH gone AS (
  SELECT id, lease_owner, attempts >= max_attempts AS used_up, attempts FROM items
  WHERE status = 'processing' AND lease_expires < :now FOR UPDATE SKIP LOCKED),
moved AS (
  UPDATE items i SET status = CASE WHEN g.used_up THEN 'exception' ELSE 'pending' END,
    lease_owner = NULL, lease_expires = NULL,
    reason = CASE WHEN g.used_up THEN 'lease of ' || g.lease_owner || ' expired; retries used up (' || g.attempts || ')'
             ELSE i.reason END,
    error_code = CASE WHEN g.used_up THEN 'lease-expired' ELSE i.error_code END, updated_at = :now
  FROM gone g WHERE i.id = g.id RETURNING i.id, i.status, g.lease_owner)
INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
SELECT id, :now, 'queue', 'lease-expired', 'processing', status, 'lease of ' || lease_owner || ' expired' FROM moved;

-- name: claim
WITH picked AS (
  SELECT id, status FROM items WHERE status IN ('pending', 'retrying') AND not_before <= :now
  ORDER BY priority DESC, id LIMIT :limit FOR UPDATE SKIP LOCKED),
claimed AS (
  UPDATE items i SET status = 'processing', lease_owner = :owner, lease_expires = :expires,
    attempts = i.attempts + 1, updated_at = :now FROM picked p WHERE i.id = p.id
  RETURNING i.id, i.bot, i.source_key, i.status, i.payload, i.files, i.parent_id, i.priority, i.deadline,
    i.not_before, i.attempts, i.max_attempts, i.lease_owner, i.lease_expires, i.reason, i.error_code, i.refs,
    i.created_at, i.updated_at, p.status AS was),
journaled AS (
  INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
  SELECT id, :now, :owner, 'claim', was, 'processing', '' FROM claimed)
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM claimed ORDER BY priority DESC, id;

-- name: claim_of_bots
WITH picked AS (
  SELECT id, status FROM items WHERE status IN ('pending', 'retrying') AND not_before <= :now AND bot = ANY(:bots)
  ORDER BY priority DESC, id LIMIT :limit FOR UPDATE SKIP LOCKED),
claimed AS (
  UPDATE items i SET status = 'processing', lease_owner = :owner, lease_expires = :expires,
    attempts = i.attempts + 1, updated_at = :now FROM picked p WHERE i.id = p.id
  RETURNING i.id, i.bot, i.source_key, i.status, i.payload, i.files, i.parent_id, i.priority, i.deadline,
    i.not_before, i.attempts, i.max_attempts, i.lease_owner, i.lease_expires, i.reason, i.error_code, i.refs,
    i.created_at, i.updated_at, p.status AS was),
journaled AS (
  INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
  SELECT id, :now, :owner, 'claim', was, 'processing', '' FROM claimed)
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM claimed ORDER BY priority DESC, id;

-- name: complete
WITH done AS (
  UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL, error_code = NULL,
    updated_at = :now
  WHERE id = ANY(:ids) AND status = 'processing' AND lease_owner = :owner
  RETURNING id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
    max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at),
journaled AS (
  INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
  SELECT id, :now, :owner, 'complete', 'processing', 'done', :why FROM done)
SELECT id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, attempts,
       max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at
FROM done ORDER BY id;

-- name: complete_ids
WITH done AS (
  UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL, error_code = NULL,
    updated_at = :now
  WHERE id = ANY(:ids) AND status = 'processing' AND lease_owner = :owner RETURNING id),
journaled AS (
  INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)
  SELECT id, :now, :owner, 'complete', 'processing', 'done', :why FROM done)
SELECT id FROM done ORDER BY id;
