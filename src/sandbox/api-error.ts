// An answer other than 2xx, thrown by route handlers and the admin API and
// turned into `{ error }` with its status by the server.
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export const badRequest = (message: string): ApiError => new ApiError(400, message);
export const notFound = (message: string): ApiError => new ApiError(404, message);
export const gone = (message: string): ApiError => new ApiError(410, message);
export const forbidden = (message: string): ApiError => new ApiError(403, message);
