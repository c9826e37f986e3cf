import { classify, errorText } from "../error-page.js";
import type { Frame } from "../frame.js";

/** The sentence a form shows for an error it re-displays itself with. */
export function errorMessage(frame: Frame, err: unknown): string {
  return errorText(frame.t, err);
}

export function errorStatus(err: unknown): number {
  return classify(err).statusCode;
}
