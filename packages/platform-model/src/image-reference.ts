/** OCI distribution spec: a tag is `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest here is always sha256. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const IMAGE_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** The forms an image reference of the model (`image.tag`) may take, as error messages name them. */
export const IMAGE_REFERENCE_FORMS =
  "a tag (e.g. '1.4.2') or a tag pinned to its digest ('1.4.2@sha256:' and 64 hex digits)";

/** An image reference split: the tag, which ECR's lifecycle rules keep, and the digest that pins its content, if any. */
export interface ImageReference {
  readonly tag: string;
  readonly digest?: string;
}

/**
 * The parts of `<tag>` or `<tag>@sha256:<hex>`, as the model writes an image (`image.tag`). Not checked: see
 * imageTagProblem.
 */
export function parseImageReference(reference: string): ImageReference {
  const at = reference.indexOf('@');
  return at < 0 ? { tag: reference } : { tag: reference.slice(0, at), digest: reference.slice(at + 1) };
}

/** The tag of an image reference (`1.4.2` of `1.4.2@sha256:…`). */
export function imageTagOf(reference: string): string {
  return parseImageReference(reference).tag;
}

/**
 * What is wrong with an image reference a service or release names, or undefined when it is `<tag>` or
 * `<tag>@sha256:<64 hex>`. The tag is what ECR's lifecycle rules select (they cannot select by digest, Amazon ECR
 * User Guide, "Lifecycle policy properties"), so a bare digest, which would leave the image unprotected, is refused;
 * a digest after the tag pins the content, and the container runtime pulls by it. `latest` and the empty tag are
 * refused: a node could pull another image under them.
 */
export function imageTagProblem(reference: string): string | undefined {
  const { tag, digest } = parseImageReference(reference);
  if (IMAGE_DIGEST.test(reference) || (tag === '' && digest !== undefined && IMAGE_DIGEST.test(digest))) {
    return `'${reference}' is a bare digest, which ECR's lifecycle rules cannot keep (they select images by tag); allowed: ${IMAGE_REFERENCE_FORMS}`;
  }
  if (tag === '' || tag === 'latest') {
    return `'${reference}' is not an immutable tag; allowed: ${IMAGE_REFERENCE_FORMS}`;
  }
  if (!IMAGE_TAG.test(tag) || (digest !== undefined && !IMAGE_DIGEST.test(digest))) {
    return `'${reference}' is neither a valid image tag nor a tag followed by '@sha256:' and 64 hex digits; allowed: ${IMAGE_REFERENCE_FORMS}`;
  }
  return undefined;
}
