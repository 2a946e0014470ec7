/** Request authentication: AWS Signature V4 (header, presigned, streaming chunks) and V2. */
package io.loligo.rgw.auth;
