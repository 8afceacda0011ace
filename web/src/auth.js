// Firebase Authentication (email + password with email verification; Google in production).
// On the local stack /config.json names the Auth emulator and the page connects to it.
import { initializeApp } from "firebase/app";
import {
  initializeAuth, browserLocalPersistence, browserPopupRedirectResolver, connectAuthEmulator,
  createUserWithEmailAndPassword, signInWithEmailAndPassword, sendEmailVerification, signOut,
  onAuthStateChanged, GoogleAuthProvider, signInWithPopup, sendPasswordResetEmail,
} from "firebase/auth";

let auth = null;
export let config = null;

export async function startAuth(onChange) {
  const resp = await fetch("config.json", { cache: "no-cache" });
  config = await resp.json();
  const app = initializeApp(config.firebase);
  auth = initializeAuth(app, {
    persistence: browserLocalPersistence,
    popupRedirectResolver: config.googleSignIn ? browserPopupRedirectResolver : undefined,
  });
  if (config.authEmulator) connectAuthEmulator(auth, config.authEmulator, { disableWarnings: true });
  return new Promise((resolve) => {
    let first = true;
    onAuthStateChanged(auth, (user) => {
      onChange(user);
      if (first) {
        first = false;
        resolve(user);
      }
    });
  });
}

export const currentUser = () => auth?.currentUser || null;

export async function idToken(force = false) {
  const user = currentUser();
  return user ? user.getIdToken(force) : null;
}

const messages = {
  "auth/invalid-credential": "The email or password is not right.",
  "auth/wrong-password": "The email or password is not right.",
  "auth/user-not-found": "There is no account with this email: create one.",
  "auth/email-already-in-use": "An account with this email exists: sign in instead.",
  "auth/weak-password": "Choose a password of at least 6 characters.",
  "auth/invalid-email": "This is not a valid email address.",
  "auth/too-many-requests": "Too many attempts: wait a minute and try again.",
  "auth/network-request-failed": "The sign-in service could not be reached: check your connection.",
  "auth/popup-closed-by-user": "The Google window was closed before signing in.",
};

export function authMessage(err) {
  return messages[err?.code] || err?.message || String(err);
}

export async function signUp(email, password) {
  const cred = await createUserWithEmailAndPassword(auth, email, password);
  await sendEmailVerification(cred.user);
  return cred.user;
}

export const signIn = (email, password) => signInWithEmailAndPassword(auth, email, password);
export const signInGoogle = () => signInWithPopup(auth, new GoogleAuthProvider());
export const resendVerification = () => sendEmailVerification(currentUser());
export const resetPassword = (email) => sendPasswordResetEmail(auth, email);
export const logOut = () => signOut(auth);

// Re-read the user (after they clicked the link) and refresh the token so the API sees the verification.
export async function refreshVerification() {
  const user = currentUser();
  if (!user) return false;
  await user.reload();
  await user.getIdToken(true);
  return currentUser().emailVerified;
}

// Local stack only: the verification link the Auth emulator would have mailed.
export async function localVerificationLink(email) {
  if (!config?.authEmulator) return null;
  const url = `${config.authEmulator}/emulator/v1/projects/${config.firebase.projectId}/oobCodes`;
  const data = await (await fetch(url)).json();
  const codes = (data.oobCodes || []).filter((c) => c.email === email && c.requestType === "VERIFY_EMAIL");
  return codes.length ? codes[codes.length - 1].oobLink : null;
}
