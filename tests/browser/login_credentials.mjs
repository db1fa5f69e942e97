// The JS SDK v3's login provider (@aws-sdk/credential-provider-login, pinned in package.json)
// reading a login_session profile, as any JS program on the machine would: its credentials as one
// JSON line on stdout, or its error on stderr (exit 1). HOME, AWS_CONFIG_FILE and
// AWS_LOGIN_CACHE_DIRECTORY come from the environment, as the SDK reads them.
//
// usage: node login_credentials.mjs PROFILE SIGNIN_ENDPOINT

import { fromLoginCredentials } from "@aws-sdk/credential-provider-login";

const [profile, endpoint] = process.argv.slice(2);
try {
  const credentials = await fromLoginCredentials({ profile, clientConfig: { endpoint } })();
  console.log(JSON.stringify({ ...credentials, expiration: credentials.expiration.toISOString() }));
} catch (error) {
  console.error(`${error.name}: ${error.message}`);
  process.exit(1);
}
