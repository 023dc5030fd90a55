import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { explainError } from "../../server/src/admin/error-explanations";
import { registerDashboard } from "../../server/src/admin/http/dashboard-static";
import { parseDestinationQuery } from "../../server/src/admin/queries/destination-search";

describe("support search input", () => {
  it.each([
    ["+44 20 7946 0958", { kind: "exact", value: "+442079460958" }],
    ["0044 20 7946 0958", { kind: "exact", value: "+442079460958" }],
    ["+1 (415) 555-2671", { kind: "exact", value: "+14155552671" }],
    [" Someone@Example.COM ", { kind: "exact", value: "someone@example.com" }],
    ["(415) 555-2671", { kind: "digits", value: "4155552671" }],
    ["020 7946 0958", { kind: "digits", value: "2079460958" }],
    ["6F9619FF-8B86-D011-B42D-00C04FC964FF", { kind: "id", value: "6f9619ff-8b86-d011-b42d-00c04fc964ff" }],
  ])("reads %j as %j", (typed, expected) => {
    expect(parseDestinationQuery(typed)).toEqual(expected);
  });

  it.each(["", "hello", "12345", "someone@", "+1 415 555"])("refuses %j as BAD_USER_INPUT on q", (typed) => {
    expect(() => parseDestinationQuery(typed)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", extensions: { field: "q" } }));
  });

  // SUPPORT (no digits search): a national number is read as a whole number of the search country.
  it.each([
    ["(202) 555-0143", "US", "+12025550143"],
    ["202.555.0143", "US", "+12025550143"],
    ["020 7946 0958", "GB", "+442079460958"],
  ])("for SUPPORT reads %j in %s as the whole number %s", (typed, country, value) => {
    expect(parseDestinationQuery(typed, "q", false, country)).toEqual({ kind: "exact", value });
  });

  it.each([
    ["(202) 555-0143", null],
    ["555 0143", "US"],
    ["0143", "US"],
    ["020 7946 0958", "US"],
  ])("for SUPPORT refuses %j (search country %s): never a part of a number", (typed, country) => {
    expect(() => parseDestinationQuery(typed, "q", false, country)).toThrow(expect.objectContaining({ code: "BAD_USER_INPUT", extensions: { field: "q" } }));
  });
});

describe("vendor error explanations", () => {
  it("explains the common Twilio codes in plain language", () => {
    for (const code of ["30003", "30004", "30005", "30006", "30007", "30008", "21211", "21408", "21610", "21614", "20003", "20429"]) {
      expect(explainError("twilio", code)).toMatch(/\w{3,}.*\./);
    }
    expect(explainError("twilio", "30003")).toMatch(/unreachable/);
  });

  it("tells Vonage request statuses from delivery-receipt codes", () => {
    expect(explainError("vonage", "9", "worker")).toMatch(/credit/);
    expect(explainError("vonage", "6", "webhook")).toMatch(/spam/);
  });

  it("says nothing rather than guessing", () => {
    expect(explainError("twilio", "99999")).toBeNull();
    expect(explainError("twilio", null)).toBeNull();
  });
});

describe("dashboard serving without a build", () => {
  it("answers /admin/ with how to build it, and redirects /admin", async () => {
    const fastify = Fastify();
    await registerDashboard(fastify, "/nonexistent/admin/dist");
    const page = await fastify.inject({ url: "/admin/", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain("npm run build:admin");
    expect(page.headers["content-security-policy"]).toContain("default-src 'self'");
    const bare = await fastify.inject({ url: "/admin" });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe("/admin/");
    await fastify.close();
  });
});
