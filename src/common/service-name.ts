/**
 * A service name as logs carry it: 1-128 characters of A-Z a-z 0-9 . _ -. Request DTOs spell the regex out
 * in their @Matches (the Swagger CLI plugin reads the literal to publish it as the OpenAPI `pattern`).
 */
export const SERVICE_NAME = /^[A-Za-z0-9._-]{1,128}$/;

/** What a refused service name is told. */
export const SERVICE_NAME_MESSAGE = 'service must be 1-128 characters of A-Z a-z 0-9 . _ -';
