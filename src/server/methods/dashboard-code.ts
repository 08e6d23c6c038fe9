/**
 * `dashboard.code`: what `cc-executor dashboard` asks for, with the token, to print a login link.
 * Only with the token: a dashboard session (its cookie) minting links would renew itself for ever.
 */
import { DomainError } from "../../runtime/domain-error.js";
import { urlHost } from "../allow-lists.js";
import { dashboardLoginUrl } from "../dashboard/dashboard-auth.js";
import { defineMethod } from "../method-table.js";

export const dashboardCode = defineMethod("dashboard.code", (_params, call) => {
  if (call.connection.auth === "cookie")
    throw new DomainError(
      "not_allowed",
      "dashboard.code needs the token: a dashboard session cannot make login links",
    );
  const { settings, dashboard, port } = call.server;
  const { code, expiresAtMs } = dashboard.issueCode();
  return {
    code,
    url: dashboardLoginUrl(`http://${urlHost(settings.host)}:${port}`, code),
    expires_at: new Date(expiresAtMs).toISOString(),
  };
});
