import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Addresses are now compared in Unicode NFKC rather than NFC, so that look-alike compatibility
 * forms (full-width letters, ligatures) cannot make a second account for the same address.
 * Addresses stored in the older form are rewritten. One whose new form another account already
 * holds is left as it is: such a pair is the look-alike attack itself, the migration does not
 * merge accounts, and the left one cannot log in until an operator renames or closes it.
 */
export class EmailNfkc1764900000000 implements MigrationInterface {
  name = 'EmailNfkc1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      UPDATE users SET email = lower(btrim(normalize(email, NFKC)))
       WHERE email <> lower(btrim(normalize(email, NFKC)))
         AND NOT EXISTS (SELECT 1 FROM users AS other WHERE other.email = lower(btrim(normalize(users.email, NFKC))))`);
  }

  async down(): Promise<void> {
    // The older (NFC) spellings are not kept, and every NFKC address is also a valid NFC one.
  }
}
