import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * About 49,000 of the passwords people use most, from zxcvbn's frequency lists (the npm package
 * @zxcvbn-ts/language-common, MIT licence, copyright Dan Wheeler, Dropbox and @zxcvbn-ts: see its
 * LICENSE.txt). Kept in lower case, so a list entry is refused in any case. About 3 MiB.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'].map((password) => password.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}
