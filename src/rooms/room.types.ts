/** Room visibility: public rooms are listed and joinable, private ones invisible to outsiders. */
export type RoomType = 'public' | 'private' | 'dm';

/** A member's role in a room, strongest first. */
export type RoomRole = 'owner' | 'admin' | 'member';
