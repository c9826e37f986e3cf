/** Sent in `x-authing-sdk-version` by the ManagementClient. Keep in step with package.json. */
export const SDK_VERSION = "0.1.0";
