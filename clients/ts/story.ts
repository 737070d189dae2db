// The member's and the coordinator's day, driven through the TypeScript client generated from
// the served /api/schema/ (openapi-typescript types + openapi-fetch). Compiled with tsc --strict:
// a field the document gets wrong (optional, untyped, a URL that is an object) fails the build,
// a call the server answers differently from the document fails the run.
//
// Usage: node build/ts/story.js http://127.0.0.1:PORT   (against `manage.py seed_demo` data)
import { randomUUID } from "node:crypto";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./api.js";

type Assignment = components["schemas"]["Assignment"];
type Api = Client<paths>;

const BASE = process.argv[2] ?? "http://127.0.0.1:8000";
const PASSWORD = "demo-2026-pass";
const COORDINATOR = "0912000004"; // Phạm Văn Thắng, coordinator of the commune Tâm Thắng
const MEMBER = "0912000012"; // Bùi Văn Minh, member in Thôn 1 (Tâm Thắng)
// A 16x16 PNG: the server decodes every photo, so it has to be a real one.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGUlEQVR4nGM8ISfHQApgIkn1qIZRDUNKAwBPHwEkcYw1mAAAAABJRU5ErkJggg==";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`story failed: ${message}`);
}

function step(text: string): void {
  console.log(`- ${text}`);
}

const anonymous: Api = createClient<paths>({ baseUrl: BASE });

function signedIn(access: string): Api {
  return createClient<paths>({ baseUrl: BASE, headers: { Authorization: `Bearer ${access}` } });
}

async function login(phone: string): Promise<{ access: string; refresh: string }> {
  const { data, error } = await anonymous.POST("/api/v1/auth/token/", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: { phone, password: PASSWORD },
  });
  check(data, `login of ${phone}: ${JSON.stringify(error)}`);
  return data;
}

// A phone on a bad network: the first attempt never reaches the server; the retry carries the
// same Idempotency-Key, so a server that did get the first one answers the same again.
async function refreshWithRetry(refresh: string): Promise<{ access: string; refresh: string }> {
  let attempts = 0;
  const flaky: Api = createClient<paths>({
    baseUrl: BASE,
    fetch: async (request: Request) => {
      attempts += 1;
      if (attempts === 1) throw new TypeError("network is unreachable");
      return fetch(request);
    },
  });
  const key = randomUUID();
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { data, error } = await flaky.POST("/api/v1/auth/token/refresh/", {
        params: { header: { "Idempotency-Key": key } },
        body: { refresh },
      });
      check(data, `refresh: ${JSON.stringify(error)}`);
      check(typeof data.refresh === "string" && data.refresh !== refresh, "refresh tokens rotate");
      return { access: data.access, refresh: data.refresh };
    } catch (failure) {
      if (!(failure instanceof TypeError) || attempt >= 3) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function teamId(client: Api, search: string): Promise<number> {
  const { data } = await client.GET("/api/v1/teams/", { params: { query: { search } } });
  const team = data?.results[0];
  check(team, `team ${search}`);
  return team.id;
}

// The member's own feed, one row per page, following the opaque cursors to the end.
async function myAssignments(client: Api): Promise<Assignment[]> {
  const rows: Assignment[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page += 1) {
    const { data, error } = await client.GET("/api/v1/assignments/", {
      params: { query: { mine: true, page_size: 1, ...(cursor ? { cursor } : {}) } },
    });
    check(data, `my assignments: ${JSON.stringify(error)}`);
    rows.push(...data.results);
    if (data.next === null) return rows;
    cursor = new URL(data.next).searchParams.get("cursor") ?? undefined;
    check(cursor, "a next link carries a cursor");
  }
  throw new Error("story failed: the feed never ended");
}

async function main(): Promise<void> {
  const stamp = new Date().toISOString();

  step("the coordinator logs in, plans a task for the commune and assigns it to Thôn 1");
  const coordinator = signedIn((await login(COORDINATOR)).access);
  const commune = await teamId(coordinator, "tam thang");
  const village = await teamId(coordinator, "thon 1");
  const created = await coordinator.POST("/api/v1/tasks/", {
    params: { header: { "Idempotency-Key": randomUUID() } },
    body: {
      title: `Chia sẻ bài viết ${stamp}`, instructions: "Chia sẻ về trang cá nhân.", kind: "share",
      platform: "facebook", team: commune, reference_url: "https://www.facebook.com/example/posts/1",
    },
  });
  check(created.data, `task create: ${JSON.stringify(created.error)}`);
  const task = created.data;
  check(task.status === "open" && task.progress.total === 0, "a new task is open and reaches nobody");
  const assigned = await coordinator.POST("/api/v1/tasks/{id}/assign/", {
    params: { path: { id: task.id } },
    body: { teams: [village] },
  });
  // 200 with counts; 202 with a job only past ASSIGN_BACKGROUND_THRESHOLD people (not this story)
  check(assigned.response.status === 200 && assigned.data && "created" in assigned.data && assigned.data.created >= 1,
        `assign: ${JSON.stringify(assigned.error)}`);

  step("the member logs in and renews the session over a bad network");
  const tokens = await refreshWithRetry((await login(MEMBER)).refresh);
  const member = signedIn(tokens.access);

  step("the member pages through their own assignments by cursor");
  const mine = await myAssignments(member);
  const fresh = mine.find((row) => row.task.id === task.id);
  check(fresh, "the new assignment is in the member's feed");
  check(fresh.status === "assigned" && fresh.evidence_url === "" && fresh.evidence_image === null,
    "a new assignment has no evidence yet");
  check(fresh.task.instructions === "Chia sẻ về trang cá nhân.", "the inline task carries the instructions");
  const sentBack = mine.find((row) => row.status === "rejected");
  check(sentBack, "the demo's rejected assignment is in the feed");
  check(sentBack.reason.length > 0 && sentBack.reviewed_by_name !== null, "the reviewer and the reason are inline");

  step("the member reads the notifications");
  const feed = await member.GET("/api/v1/notifications/", { params: { query: { unread: "true" } } });
  check(feed.data && feed.data.results.length > 0, "the member has unread notifications");
  const first = feed.data.results[0];
  check(first, "a notification");
  check(first.params.task === null || typeof first.params.task === "string", "params are typed");
  const read = await member.POST("/api/v1/notifications/{id}/read/", { params: { path: { id: first.id } } });
  check(read.data?.is_read === true, "a notification is marked read");
  const unread = await member.GET("/api/v1/notifications/unread-count/");
  check(unread.data && unread.data.count === feed.data.results.length - 1, "the badge counts one fewer");

  step("the member completes the new task with a link");
  const linked = await member.POST("/api/v1/assignments/{id}/complete/", {
    params: { path: { id: fresh.id }, header: { "Idempotency-Key": randomUUID() } },
    body: { evidence_url: "https://www.facebook.com/minh/posts/99", note: "Đã chia sẻ." },
  });
  check(linked.data?.status === "completed", `complete with a link: ${JSON.stringify(linked.error)}`);

  step("the member completes the work that was sent back with a photo (multipart)");
  const photo = new Blob([Buffer.from(PNG, "base64")], { type: "image/png" });
  const pictured = await member.POST("/api/v1/assignments/{id}/complete/", {
    params: { path: { id: sentBack.id } },
    body: { evidence_image: photo, note: "Ảnh chụp màn hình." },
    bodySerializer(body) {
      const form = new FormData();
      for (const [name, value] of Object.entries(body ?? {}) as [string, unknown][]) {
        if (value instanceof Blob) form.append(name, value, "evidence.png");
        else if (typeof value === "string") form.append(name, value);
      }
      return form;
    },
  });
  check(pictured.data?.status === "completed", `complete with a photo: ${JSON.stringify(pictured.error)}`);
  check(pictured.data.evidence_image !== null, "the photo is linked from the assignment");
  const image = await fetch(pictured.data.evidence_image, { headers: { Authorization: `Bearer ${tokens.access}` } });
  check(image.status === 200 && image.headers.get("content-type") === "image/png", "the photo is served back");

  step("the coordinator verifies the linked work");
  const verified = await coordinator.POST("/api/v1/assignments/{id}/verify/", {
    params: { path: { id: fresh.id } },
    body: { note: "Tốt." },
  });
  check(verified.data?.status === "verified", `verify: ${JSON.stringify(verified.error)}`);
  check(verified.data.reviewed_by_name === "Phạm Văn Thắng", "the reviewer's name comes back");
  const again = await coordinator.POST("/api/v1/assignments/{id}/verify/", {
    params: { path: { id: fresh.id } },
    body: {},
  });
  check(again.response.status === 409 && again.error?.code === "invalid_transition", "verifying twice is a 409");

  step("the coordinator reads the commune's statistics");
  const stats = await coordinator.GET("/api/v1/teams/{id}/stats/", { params: { path: { id: commune } } });
  check(stats.data && typeof stats.data !== "string", `stats: ${JSON.stringify(stats.error)}`);
  check(stats.data.assignments.verified >= 1 && stats.data.team.level === "commune", "the verified work counts");
  const byTask = await coordinator.GET("/api/v1/teams/{id}/stats/", {
    params: { path: { id: commune }, query: { task: task.id } },
  });
  check(byTask.data && typeof byTask.data !== "string" && byTask.data.assignments.verified === 1,
    "the task's own counts");

  console.log("story: 1 passed, 0 failed");
}

main().catch((failure: unknown) => {
  console.error(failure);
  console.log("story: 0 passed, 1 failed");
  process.exit(1);
});
