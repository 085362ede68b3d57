/**
 * The extension's public manifest key and the id Chrome derives from it. A fixed id lets the bridge
 * allow exactly this extension's Origin by default (the private half was never kept: the store assigns
 * its own key when the extension is published, and the bridge's allow-list is configurable).
 */
export const MANIFEST_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA0fb1RSeQ/cqEsjz64q81MaZFOPJnsKsG1DqoK0jO1ThdpI6Zbl78lWfc8LtI8gqFgB/ZlYSHUrBj97+uUg+qgkXkQPbXQH1//1yVfZkk4hGiR+0CSPNvkp2KaVvL7AAA8Z+efUZRK9ArCWCmzqbxpG6On6pBoyHYQBCXfWoiIJCB4iWOqWYgReBdpS+EPo5KkvFEUpcg0Ig4wP13Ct1CngfBzJTvZSXXXztIZU0BQ773XrmHAVQP+bfvhO9QJbFfLu2tw1vn0ioZnua86rb8kt3QF1lasDpDB8DG5PzIxjF5MebkOhn05N21y3TwGtZ2m5pH+ffPIWQG8G6T8XdOoQIDAQAB';

export const EXTENSION_ID = 'nggfkhicblakpgbpomlmknpnpblapgho';
export const EXTENSION_ORIGIN = `chrome-extension://${EXTENSION_ID}`;
