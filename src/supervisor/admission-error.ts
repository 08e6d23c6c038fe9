import { DomainError, type DomainErrorCode } from "../runtime/domain-error.js";

/** The supervisor would not take an execution: a cap is reached, it is stopping, or the id is taken. */
export class AdmissionError extends DomainError {
  override name = "AdmissionError";

  constructor(
    code: Extract<DomainErrorCode, "limit_reached" | "invalid_request">,
    message: string,
  ) {
    super(code, message);
  }
}
