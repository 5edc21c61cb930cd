// The SDK's "versions after January 2027 need Node 22" notice: the project pins its SDK for Node 20 (README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
