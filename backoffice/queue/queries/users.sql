-- The supervisor UI's users, sessions and sign-ins (backoffice.queue.users.SQLUsers), the same
-- on SQLite and PostgreSQL. Tables: migrations sqlite_007_ui.sql and postgres_006_ui.sql.

-- name: put
INSERT INTO users (name, password, role, roles, created_at) VALUES (:name, :password, :role, :roles, :now)
ON CONFLICT (name) DO UPDATE SET password = excluded.password, role = excluded.role, roles = excluded.roles;

-- name: remove
DELETE FROM users WHERE name = :name;

-- name: list
SELECT name, role, roles FROM users ORDER BY name;

-- name: hash_of
SELECT password, name, role, roles FROM users WHERE name = :name;

-- name: end_sessions
DELETE FROM user_sessions WHERE name = :name;

-- name: drop_expired_sessions
DELETE FROM user_sessions WHERE expires <= :now;

-- name: save_session
INSERT INTO user_sessions (token_hash, name, csrf, expires, seen, notice)
VALUES (:token_hash, :name, :csrf, :expires, :now, :notice);

-- name: load_session
SELECT s.name, u.role, u.roles, s.csrf, s.expires, s.seen, s.notice FROM user_sessions s
JOIN users u ON u.name = s.name WHERE s.token_hash = :token_hash;

-- name: touch_session
UPDATE user_sessions SET seen = :seen WHERE token_hash = :token_hash;

-- name: drop_session
DELETE FROM user_sessions WHERE token_hash = :token_hash;

-- name: record_sign_in
INSERT INTO sign_ins (at, name, address, agent, outcome) VALUES (:at, :name, :address, :agent, :outcome);

-- name: sign_ins_of_name
SELECT at, name, address, agent, outcome FROM sign_ins WHERE name = :name AND at >= :since ORDER BY at;

-- name: sign_ins_from_address
SELECT at, name, address, agent, outcome FROM sign_ins WHERE address = :address AND at >= :since ORDER BY at;

-- name: forget_sign_ins
DELETE FROM sign_ins WHERE at < :before;
