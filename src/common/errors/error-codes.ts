/**
 * The catalogue of stable error codes clients switch on, with the HTTP status and the default
 * sentence each one maps to. The WebSocket filter uses the same codes in `error` frames.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  INVALID_CURSOR: { status: 400, message: 'The cursor is not one this server made; start again from the first page.' },
  UNAUTHORIZED: { status: 401, message: 'Authentication is required.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The login or password is wrong.' },
  TOKEN_INVALID: { status: 401, message: 'The token is invalid.' },
  TOKEN_EXPIRED: { status: 401, message: 'The token has expired.' },
  TOKEN_REVOKED: { status: 401, message: 'The token has been revoked.' },
  REFRESH_TOKEN_INVALID: { status: 401, message: 'The refresh token is invalid or expired.' },
  REFRESH_TOKEN_REUSED: { status: 401, message: 'The refresh token was already used; the session has been revoked.' },
  FORBIDDEN: { status: 403, message: 'You are not allowed to do this.' },
  NOT_A_MEMBER: { status: 403, message: 'You are not a member of this room.' },
  NOT_FOUND: { status: 404, message: 'The resource was not found.' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route.' },
  USER_NOT_FOUND: { status: 404, message: 'The user was not found.' },
  ROOM_NOT_FOUND: { status: 404, message: 'The room was not found.' },
  MESSAGE_NOT_FOUND: { status: 404, message: 'The message was not found.' },
  USERNAME_TAKEN: { status: 409, message: 'That username is already taken.' },
  EMAIL_TAKEN: { status: 409, message: 'That email is already registered.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The content type is not supported.' },
  OWNER_CANNOT_LEAVE: { status: 422, message: 'The owner must hand the room over before leaving.' },
  BUSINESS_RULE: { status: 422, message: 'The request was refused by a rule of the server.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; slow down.' },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is shutting down or not ready.' },
  UNKNOWN_TYPE: { status: 400, message: 'Unknown frame type.' },
  WRONG_PASSWORD: { status: 403, message: 'The password is wrong.' },
  SESSION_NOT_FOUND: { status: 404, message: 'The session was not found.' },
  HASHING_BUSY: { status: 503, message: 'Too many logins are being processed; try again shortly.' },
  DM_WITH_SELF: { status: 400, message: 'You cannot open a direct conversation with yourself.' },
  MEMBER_NOT_FOUND: { status: 404, message: 'That user is not a member of this room.' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'The upload was not found.' },
  ALREADY_MEMBER: { status: 409, message: 'That user is already a member of this room.' },
  UPLOAD_TOO_LARGE: { status: 413, message: 'The file is larger than the upload limit.' },
  UPLOAD_TYPE_NOT_ALLOWED: { status: 415, message: 'This kind of file cannot be uploaded.' },
  EDIT_WINDOW_PASSED: { status: 422, message: 'The time to edit this message has passed.' },
  CANNOT_LEAVE_DM: { status: 422, message: 'A direct conversation cannot be left.' },
} as const;

/** A stable, upper-snake error identifier from {@link ERRORS}. */
export type ErrorCode = keyof typeof ERRORS;
