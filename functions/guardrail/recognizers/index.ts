// The recognizers of personal data and secrets, in tie-break order (when two overlapping candidates
// score the same and are as long, the earlier recognizer's wins).
import { secretRecognizer } from "../secrets";
import { creditCardRecognizer } from "./credit-card";
import { cryptoRecognizer } from "./crypto";
import { dateRecognizer } from "./dates";
import { emailRecognizer } from "./email";
import { ibanRecognizer } from "./iban";
import { ipRecognizer, macRecognizer, urlRecognizer } from "./network";
import { phoneRecognizer } from "./phone";
import type { Recognizer } from "./types";
import { ukNhsRecognizer, ukNinoRecognizer } from "./uk";
import { usBankNumberRecognizer, usDriverLicenseRecognizer, usPassportRecognizer, usSsnRecognizer } from "./us";

export const DATA_RECOGNIZERS: readonly Recognizer[] = [
  secretRecognizer,
  emailRecognizer,
  creditCardRecognizer,
  ibanRecognizer,
  cryptoRecognizer,
  usSsnRecognizer,
  ukNhsRecognizer,
  ukNinoRecognizer,
  usPassportRecognizer,
  usDriverLicenseRecognizer,
  usBankNumberRecognizer,
  ipRecognizer,
  macRecognizer,
  urlRecognizer,
  phoneRecognizer,
  dateRecognizer,
];
