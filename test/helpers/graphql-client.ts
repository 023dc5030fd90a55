/** A minimal GraphQL-over-HTTP client, as a client app's backend would call the gateway. */
export interface GqlResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, any>; path?: string[] }>;
}

export async function gql<T = any>(url: string, key: string | null, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlResponse["errors"] };
  return { status: res.status, data: body.data ?? undefined, errors: body.errors };
}

/** The first error's contract code, or undefined. */
export const errorCode = (r: GqlResponse) => r.errors?.[0]?.extensions?.code as string | undefined;

export const REQUEST_OTP = `mutation($input: RequestOtpInput!) {
  requestOtp(input: $input) { id channel status to purpose codeLength expiresAt resendAvailableAt attemptsRemaining
    deliveries { id channel provider status errorCode errorMessage createdAt updatedAt } } }`;
export const VERIFY_OTP = `mutation($input: VerifyOtpInput!) { verifyOtp(input: $input) { status attemptsRemaining token } }`;
export const RESEND_OTP = `mutation($id: ID!, $channel: Channel) { resendOtp(verificationId: $id, channel: $channel) { id channel status attemptsRemaining resendAvailableAt deliveries { id status provider } } }`;
export const CANCEL_OTP = `mutation($id: ID!) { cancelOtp(verificationId: $id) { id status } }`;
export const GET_VERIFICATION = `query($id: ID!) { verification(id: $id) { id channel status to attemptsRemaining deliveries { id channel provider status errorCode errorMessage } } }`;
