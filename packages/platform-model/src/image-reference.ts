/** OCI distribution spec: a tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest here is always sha256. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * What is wrong with an image reference a service names (tag or `sha256:` digest), or undefined when it is
 * immutable and well-formed. `latest` and the empty tag are refused: a node could pull another image under them.
 */
export function imageTagProblem(tag: string): string | undefined {
  if (tag === '' || tag === 'latest') {
    return `'${tag}' is not an immutable tag; use a version tag (e.g. '1.4.2') or a sha256 digest`;
  }
  if (!IMAGE_TAG.test(tag) && !IMAGE_DIGEST.test(tag)) {
    return `'${tag}' is neither a valid image tag nor 'sha256:' followed by 64 hex digits`;
  }
  return undefined;
}
