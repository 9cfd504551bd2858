/** The version a device announces in /liveblend/hello; a test keeps it equal to package.json's. */
export const DEVICE_VERSION = '0.1.0';
