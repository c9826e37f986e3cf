/**
 * A minimal browser for setting up the code-flow bench: a cookie jar (by name; paths and expiry
 * ignored except deletion) and requests that never follow redirects, so each hop can be inspected.
 */
export class Browser {
  private readonly jar = new Map<string, string>();

  set(name: string, value: string): void {
    this.jar.set(name, value);
  }

  /** The `cookie` header this browser sends. */
  cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async request(
    url: string,
    init: { method?: "GET" | "POST"; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; location?: string; body: string }> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.jar.size > 0) headers.cookie = this.cookie();
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      redirect: "manual",
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /^\s*max-age=0\b/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
    const location = res.headers.get("location") ?? undefined;
    return {
      status: res.status,
      location: location && new URL(location, url).toString(),
      body: await res.text(),
    };
  }
}
