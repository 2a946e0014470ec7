package io.loligo.rgw.auth;

/** One access key of one user: what a signature is checked against. */
public record Credentials(String accessKey, String secretKey, String uid, boolean suspended) {
    @Override
    public String toString() {
        return "Credentials[" + accessKey + " of " + uid + (suspended ? ", suspended" : "") + "]";
    }
}
