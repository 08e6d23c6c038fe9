/** `dashboard.code`: what `cc-executor dashboard` asks for, with the token, to print a login link. */
import { urlHost } from "../allow-lists.js";
import { dashboardLoginUrl } from "../dashboard/dashboard-auth.js";
import { defineMethod } from "../method-table.js";

export const dashboardCode = defineMethod("dashboard.code", (_params, call) => {
  const { settings, dashboard, port } = call.server;
  const { code, expiresAtMs } = dashboard.issueCode();
  return {
    code,
    url: dashboardLoginUrl(`http://${urlHost(settings.host)}:${port}`, code),
    expires_at: new Date(expiresAtMs).toISOString(),
  };
});
