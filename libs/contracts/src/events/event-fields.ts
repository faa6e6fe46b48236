import type { AvroField } from '../avro/avro-schema';

/*
 * Field definitions shared by several event payloads, so the same fact is named, typed and
 * documented the same way everywhere. Ids are opaque strings (UUIDs in practice, but consumers must
 * not rely on the format). Money is always the pair `amountMinor` + `currency`.
 */

export const USER_ID_FIELD: AvroField = { name: 'userId', type: 'string', doc: 'Id of the user (owner of the wallet).' };

export const WALLET_ID_FIELD: AvroField = {
  name: 'walletId',
  type: 'string',
  doc: 'Id of the wallet whose balance the event concerns. Also the Kafka message key.',
};

export const PAYMENT_ID_FIELD: AvroField = {
  name: 'paymentId',
  type: 'string',
  doc: 'Id of the bill payment, the same from request to completion or reversal.',
};

export const TRANSACTION_ID_FIELD: AvroField = {
  name: 'transactionId',
  type: 'string',
  doc: 'Id of the wallet ledger transaction (row) this event records or settles.',
};

export const AMOUNT_MINOR_FIELD: AvroField = {
  name: 'amountMinor',
  type: 'long',
  doc: 'Amount in integer minor units of currency (e.g. kobo for NGN: 150000 = NGN 1,500.00). Always > 0.',
};

export const CURRENCY_FIELD: AvroField = {
  name: 'currency',
  type: 'string',
  doc: 'ISO 4217 alphabetic code of amountMinor, upper case (e.g. NGN).',
};
