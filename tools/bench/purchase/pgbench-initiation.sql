-- The wallet's payment initiation, statement for statement (services/wallet/src/wallet/commands/
-- idempotent-wallet-command.ts with open-wallet and enqueue-event): open the wallet if new, then
-- one transaction that looks up the reference, reads the wallet, moves the money to held, records
-- the PAYMENT, its ledger entry and its outbox row, and notifies the relay. The wallet is updated
-- in place rather than at a read version so that a conflict never aborts a pgbench client (nor two
-- clients opening the same wallet at once: either unique key may be the one that conflicts); the
-- row lock and the round trips cost the same.
\set w random(1, :wallets)
-- pgbench substitutes only numbers cleanly, so every id of this payment derives from one random integer.
\set r random(1, 9000000000000000000)
INSERT INTO wallets (id, user_id, currency, available) VALUES (md5('wallet-' || :w)::uuid, md5('user-' || :w)::uuid, 'NGN', 9000000000000000)
  ON CONFLICT DO NOTHING;
SELECT id FROM wallets WHERE user_id = md5('user-' || :w)::uuid;
BEGIN;
SELECT id FROM wallet_transactions WHERE wallet_id = md5('wallet-' || :w)::uuid AND reference = 'pgbench-' || :r;
SELECT id, available, held, version FROM wallets WHERE id = md5('wallet-' || :w)::uuid;
UPDATE wallets SET available = available - 100000, held = held + 100000, version = version + 1, updated_at = now()
  WHERE id = md5('wallet-' || :w)::uuid RETURNING available, held, version \gset
INSERT INTO wallet_transactions (id, wallet_id, user_id, type, status, amount, currency, reference, request_fingerprint, payment_id,
    reverses_transaction_id, available_after, details)
  VALUES (md5('transaction-' || :r)::uuid, md5('wallet-' || :w)::uuid, md5('user-' || :w)::uuid, 'PAYMENT', 'PENDING', 100000, 'NGN', 'pgbench-' || :r,
    'pgbench', md5('payment-' || :r)::uuid, NULL, :available, '{"meterNumber":"1111111111111","providerCode":"ikeja-electric-prepaid"}');
INSERT INTO ledger_entries (wallet_id, transaction_id, entry_type, available_delta, held_delta, available_after, held_after, wallet_version)
  VALUES (md5('wallet-' || :w)::uuid, md5('transaction-' || :r)::uuid, 'HOLD', -100000, 100000, :available, :held, :version);
INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers)
  VALUES (md5('event-' || :r)::uuid, 'wallet.payment-requested.v1', md5('wallet-' || :w), 'PaymentRequested',
    '{"paymentId":"x","amountMinor":"100000","meterNumber":"1111111111111"}', '{"event-id":"x"}');
NOTIFY bvs_outbox;
COMMIT;
