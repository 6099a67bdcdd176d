// Package sandbox is an offline, stateful fake Telegram server that speaks
// real MTProto (layer 229), built on gotd's in-process test server
// github.com/gotd/td/tgtest. It lets automation scripts run without an
// account or network.
//
// A Server listens on a loopback TCP port and serves MTProto clients. A
// gotd telegram.Client connects with the options from
// Server.TelegramOptions; other clients need the address (Server.Addr), the
// DC id (Server.DC) and the RSA public key (Server.PublicKeyPEM). The key
// exchange must encrypt with RSA_PAD, Telegram's scheme since 2021: gotd's
// server side, which tgtest runs, answers the older SHA-1-padded
// encryption with -404, so clients that still send it (Telethon 1.25, the
// version Debian 12 ships, among them) cannot connect.
//
// # Accounts and login
//
// auth.sendCode creates an account for an unknown phone number on demand
// (first name "User <digits>"), so auth.signIn never answers
// auth.authorizationSignUpRequired unless Options.RequireSignUp is set;
// auth.signUp is accepted too and renames the account. The login code is always LoginCode ("12345"); a wrong code
// gives PHONE_CODE_INVALID, an unknown or used phone_code_hash
// PHONE_CODE_EXPIRED. Accounts added with a password (UserSpec.Password)
// require two-step verification: signIn answers 401
// SESSION_PASSWORD_NEEDED, account.getPassword hands out real SRP
// parameters (Telegram's 2048-bit prime, g = 3) and auth.checkPassword
// verifies the SRP proof. Bot accounts log in with
// auth.importBotAuthorization and their "ID:secret" token.
//
// A login binds the MTProto auth key to the user; methods that need a user
// answer 401 AUTH_KEY_UNREGISTERED on other keys. Auth keys live in memory
// only (tgtest cannot import them): after a restart, clients must create a
// new key and log in again, which gotd does on its own for the key. Users,
// groups, messages, pts logs, contacts, invites and the generated RSA key
// survive restarts through Options.StatePath.
//
// Unless Options.NoSeed is set, a fresh state is seeded with fixed accounts:
// the sandbox user +15550000 (@sandbox), @alice (+15550001), @bob
// (+15550002), the bot @echo_bot (token EchoBotToken), which answers every
// private message with a copy of it from the server side, and the basic
// group "Sandbox Group" of the three users. See the ID constants.
//
// # What is served
//
// help.getConfig (dc_options list only the server's own address, so clients
// never migrate), help.getNearestDc; auth.sendCode, auth.signIn,
// auth.signUp, auth.checkPassword, auth.importBotAuthorization, auth.logOut
// and the legacy auth.sendInvites (recorded, see Server.Invites; false when
// the only number is the caller's own);
// account.getPassword, account.updateStatus, account.checkUsername,
// account.updateUsername and account.updateProfile (with Telegram's limits:
// usernames of 5 to 32 letters, digits and underscores; the change is
// pushed as updateUserName to the account's other sessions and to those who
// have it as a contact); users.getUsers,
// users.getFullUser; contacts.resolveUsername, contacts.resolvePhone, contacts.importContacts,
// contacts.getContacts, contacts.search (contacts by name or username,
// other accounts by username); messages.sendMessage, messages.editMessage,
// messages.deleteMessages, messages.getHistory, messages.getDialogs,
// messages.readHistory, messages.getChats, messages.setTyping;
// messages.search (text ignoring case, from_id, dates, ids, paging; in one
// chat or, for inputPeerEmpty, all; the filters empty, photos, document,
// video and photoVideo) and messages.getMessages (by id and reply-to);
// messages.forwardMessages (with a forward header naming the original
// author and date, drop_author, drop_media_captions); basic groups:
// messages.createChat, messages.addChatUser, messages.deleteChatUser (the
// creator removes anyone, others leave), messages.editChatTitle, each a
// service message in the group, and messages.getFullChat;
// messages.sendMedia (uploaded documents and photos), upload.saveFilePart,
// upload.saveBigFilePart, upload.getFile (file contents are kept in memory
// only, see media.go); updates.getState, updates.getDifference. The
// wrappers invokeWithLayer,
// initConnection, invokeWithoutUpdates, invokeAfterMsg and invokeAfterMsgs
// are unwrapped.
//
// Every other method is answered with 400
// METHOD_NOT_SUPPORTED_IN_SANDBOX_<constructor id in decimal>. The numeric
// suffix follows Telegram's FLOOD_WAIT_X convention, so gotd's tgerr parses
// Type as exactly "METHOD_NOT_SUPPORTED_IN_SANDBOX" (ErrUnsupported) and
// Argument as the constructor id, which MethodName turns back into the
// method name; the name is also logged. Malformed requests get 400
// INPUT_FETCH_ERROR and unexpected failures 500 INTERNAL: every request is
// answered.
//
// # Messages and updates
//
// Private chats and basic groups work as on Telegram: every user has a
// message box with its own message ids and pts sequence. Texts are limited
// to MaxMessageLength UTF-16 units (MESSAGE_TOO_LONG) and must not be blank
// (MESSAGE_EMPTY); a reused random_id gives RANDOM_ID_DUPLICATE. The sender
// gets updateShortSentMessage (private chats) or updates with
// updateMessageID and updateNewMessage (groups), with the pts and pts_count
// of its box. Every other connected session of the chat members, including
// the sender's other sessions, gets an updates container with the
// updateNewMessage of its own box and the users and chats it mentions. Edits,
// deletions and read marks are logged and pushed the same way, and
// updates.getDifference replays the log (difference, differenceSlice,
// differenceEmpty, differenceTooLong), so a client that was offline catches
// up.
//
// Access hashes are stable per (viewer, user) pair and are checked: a wrong
// hash gives 400 PEER_ID_INVALID for input peers and 400 USER_ID_INVALID for
// input users.
//
// # Faults
//
// Server.SetFault injects FLOOD_WAIT after N calls in a window, arbitrary
// RPC errors, latency and dropped connections per method, optionally a
// limited number of times.
//
// # Limitations
//
// tgtest keeps the first connection of an MTProto session: a client that
// reconnects with the same session id (gotd does not) loses the answers
// until one fails to send, after which the sandbox forgets the stale
// connection and the client's resend is answered.
package sandbox
