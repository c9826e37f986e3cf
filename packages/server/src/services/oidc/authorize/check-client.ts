import type { Repositories } from "../../../storage/repos/index.js";
import { type AuthorizeDraft, AuthorizeError } from "./types.js";

/** `client_id` names an application; else the error page (there is nowhere safe to redirect to). */
export async function checkClient(draft: AuthorizeDraft, repos: Repositories): Promise<void> {
  const id = draft.raw.client_id;
  if (!id) throw new AuthorizeError("invalid_request", "client_id is required", false);
  const app = id.length <= 64 ? await repos.applications.findApplicationById(id) : undefined;
  if (!app) throw new AuthorizeError("invalid_client", "no application has this client_id", false);
  draft.app = app;
}
