import type { Disco, MeterType } from './disco';

const NAIRA = 100n;

function disco(
  slug: string,
  name: string,
  meterType: MeterType,
  limitsNaira: readonly [bigint, bigint],
  feeNaira: bigint,
  tariffKoboPerKwh: bigint,
): Disco {
  return {
    code: `${slug}-electric-${meterType.toLowerCase()}`,
    name,
    meterType,
    minimumAmountKobo: limitsNaira[0] * NAIRA,
    maximumAmountKobo: limitsNaira[1] * NAIRA,
    feeKobo: feeNaira * NAIRA,
    tariffKoboPerKwh,
  };
}

/**
 * A realistic but illustrative catalogue: the codes follow VTpass's service ids, the limits the
 * ranges aggregators publish (Reloadly lists NGN 1,000-300,000 for Ikeja), the tariffs sit near
 * NERC's Band A price of 2024 (about NGN 209.50/kWh). Tariffs differ per disco on purpose, so a
 * client that assumes one tariff for all is caught by tests.
 */
export const DISCO_CATALOGUE: readonly Disco[] = [
  disco('ikeja', 'Ikeja Electric (IKEDC) Prepaid', 'PREPAID', [1_000n, 300_000n], 100n, 20_950n),
  disco('ikeja', 'Ikeja Electric (IKEDC) Postpaid', 'POSTPAID', [1_000n, 500_000n], 100n, 20_950n),
  disco('eko', 'Eko Electricity (EKEDC) Prepaid', 'PREPAID', [1_000n, 300_000n], 100n, 20_900n),
  disco('eko', 'Eko Electricity (EKEDC) Postpaid', 'POSTPAID', [1_000n, 500_000n], 100n, 20_900n),
  disco('abuja', 'Abuja Electricity (AEDC) Prepaid', 'PREPAID', [500n, 200_000n], 50n, 20_980n),
  disco('abuja', 'Abuja Electricity (AEDC) Postpaid', 'POSTPAID', [500n, 300_000n], 50n, 20_980n),
  disco('ibadan', 'Ibadan Electricity (IBEDC) Prepaid', 'PREPAID', [500n, 200_000n], 50n, 20_994n),
  disco('kano', 'Kano Electricity (KEDCO) Prepaid', 'PREPAID', [1_000n, 100_000n], 50n, 20_825n),
  disco('portharcourt', 'Port Harcourt Electricity (PHED) Prepaid', 'PREPAID', [1_000n, 200_000n], 100n, 21_000n),
  disco('enugu', 'Enugu Electricity (EEDC) Postpaid', 'POSTPAID', [1_000n, 300_000n], 100n, 20_940n),
];

const BY_CODE = new Map(DISCO_CATALOGUE.map((entry) => [entry.code, entry]));

export function findDisco(code: string): Disco | undefined {
  return BY_CODE.get(code);
}

export function amountWithinLimits(disco: Disco, amountKobo: bigint): boolean {
  return amountKobo >= disco.minimumAmountKobo && amountKobo <= disco.maximumAmountKobo;
}
