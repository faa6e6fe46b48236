import { createHash } from 'node:crypto';
import { passesLuhn } from './luhn';

/** Wide enough for every real format (11- and 13-digit meters, longer postpaid account numbers). */
export const METER_NUMBER_PATTERN = /^\d{6,20}$/;

export interface Customer {
  readonly name: string;
  readonly address: string;
}

/** The fixed, documented outcome of a sandbox meter, whatever the fault-injection rates say. */
export type SandboxScenario =
  | 'SUCCEED'
  | 'DECLINE'
  | 'PEND_THEN_SUCCEED'
  | 'PEND_THEN_DECLINE'
  | 'WITHHOLD_RESPONSE'
  | 'BLOCKED'
  | 'NOT_FOUND';

export interface SandboxMeter {
  readonly meterNumber: string;
  readonly scenario: SandboxScenario;
  /** Null only for the meter that does not exist. */
  readonly customer: Customer | null;
}

/**
 * 13-digit numbers so they can never collide with the 11-digit ordinary meters. The first two are
 * VTpass's own sandbox numbers (prepaid and postpaid), so a client tested here behaves the same there.
 */
export const SANDBOX_METERS: readonly SandboxMeter[] = [
  { meterNumber: '1111111111111', scenario: 'SUCCEED', customer: { name: 'Adaeze Okonkwo', address: '12 Adeola Odeku Street, Victoria Island, Lagos' } },
  { meterNumber: '1010101010101', scenario: 'SUCCEED', customer: { name: 'Babatunde Adeyemi', address: '4 Awolowo Road, Ikoyi, Lagos' } },
  { meterNumber: '2222222222222', scenario: 'DECLINE', customer: { name: 'Chinedu Eze', address: '27 Ogui Road, Enugu' } },
  { meterNumber: '3333333333333', scenario: 'PEND_THEN_SUCCEED', customer: { name: 'Fatima Bello', address: '9 Ahmadu Bello Way, Kaduna' } },
  { meterNumber: '3030303030303', scenario: 'PEND_THEN_DECLINE', customer: { name: 'Emeka Nwosu', address: '31 Aba Road, Port Harcourt' } },
  { meterNumber: '4444444444444', scenario: 'WITHHOLD_RESPONSE', customer: { name: 'Ngozi Obi', address: '15 Aminu Kano Crescent, Wuse II, Abuja' } },
  { meterNumber: '5555555555555', scenario: 'BLOCKED', customer: { name: 'Yusuf Abdullahi', address: '2 Zoo Road, Kano' } },
  { meterNumber: '0000000000000', scenario: 'NOT_FOUND', customer: null },
];

const SANDBOX_BY_NUMBER = new Map(SANDBOX_METERS.map((meter) => [meter.meterNumber, meter]));

export type MeterLookup =
  | { readonly found: true; readonly blocked: boolean; readonly customer: Customer; readonly sandbox: SandboxScenario | null }
  | { readonly found: false; readonly sandbox: SandboxScenario | null };

/**
 * Sandbox meters first; then any 11-digit number with a valid Luhn check digit is an ordinary,
 * active meter whose customer is derived from the number (the same meter always shows the same
 * customer). Everything else does not exist.
 */
export function lookupMeter(meterNumber: string): MeterLookup {
  const sandbox = SANDBOX_BY_NUMBER.get(meterNumber);
  if (sandbox) {
    return sandbox.customer
      ? { found: true, blocked: sandbox.scenario === 'BLOCKED', customer: sandbox.customer, sandbox: sandbox.scenario }
      : { found: false, sandbox: sandbox.scenario };
  }
  if (meterNumber.length === 11 && passesLuhn(meterNumber)) {
    return { found: true, blocked: false, customer: derivedCustomer(meterNumber), sandbox: null };
  }
  return { found: false, sandbox: null };
}

const FIRST_NAMES = ['Oluwaseun', 'Chiamaka', 'Ibrahim', 'Funmilayo', 'Obinna', 'Aisha', 'Tunde', 'Kelechi', 'Halima', 'Segun'];
const SURNAMES = ['Adebayo', 'Okafor', 'Musa', 'Balogun', 'Nnamdi', 'Suleiman', 'Ogunleye', 'Okoro', 'Danjuma', 'Ibe'];
const STREETS = [
  'Allen Avenue, Ikeja, Lagos',
  'Bode Thomas Street, Surulere, Lagos',
  'Herbert Macaulay Way, Yaba, Lagos',
  'Ring Road, Ibadan',
  'Murtala Mohammed Way, Kano',
  'Adetokunbo Ademola Crescent, Wuse II, Abuja',
  'Trans-Amadi Road, Port Harcourt',
  'Zik Avenue, Enugu',
];

function derivedCustomer(meterNumber: string): Customer {
  const hash = createHash('sha256').update(meterNumber).digest();
  const pick = <T>(list: readonly T[], byte: number): T => list[(hash[byte] ?? 0) % list.length] as T;
  const houseNumber = ((hash[3] ?? 0) % 120) + 1;
  return {
    name: `${pick(FIRST_NAMES, 0)} ${pick(SURNAMES, 1)}`,
    address: `${houseNumber} ${pick(STREETS, 2)}`,
  };
}
