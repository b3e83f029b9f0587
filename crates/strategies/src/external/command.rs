//! A user's client command (`run --client 'CMD ARGS…'`, a scenario's `client = "…"`),
//! split into a program and its arguments as a POSIX shell would split it, quotes and
//! backslashes included, but run without a shell: no expansion, no pipes, no surprises
//! from a user's shell configuration, and the process waitbench samples is the client
//! itself, not a shell around it.

use std::path::PathBuf;

use thiserror::Error;

use super::child::Program;

/// A client command that cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BadCommand {
    /// Nothing to run.
    #[error(
        "the client command is empty; give the program and its arguments, e.g. --client \
         'python3 examples/client-protocol/requests_client.py'"
    )]
    Empty,
    /// Quotes that do not close, or a backslash at the end.
    #[error(
        "the client command {0:?} cannot be split into words (a quote is not closed, or it \
         ends in a backslash); quote it as a shell would"
    )]
    Unsplittable(String),
    /// The program is not there, or not on `PATH`.
    #[error("the client program {0:?} is not found{where_}; give its path, or put it on PATH", where_ = if .0.contains('/') { "" } else { " on PATH" })]
    NotFound(String),
}

impl Program {
    /// The program and arguments of `command`, split as a shell splits words.
    pub fn from_command_line(command: &str) -> Result<Program, BadCommand> {
        let words =
            shlex::split(command).ok_or_else(|| BadCommand::Unsplittable(command.into()))?;
        let mut words = words.into_iter();
        let program = words.next().ok_or(BadCommand::Empty)?;
        Ok(Program {
            program: PathBuf::from(program),
            args: words.collect(),
            current_dir: None,
        })
    }

    /// Checks that the program exists (a path) or is found on `PATH` (a bare name), so
    /// that a misspelt command is refused before a server starts or a trial begins.
    pub fn check_found(&self) -> Result<(), BadCommand> {
        let is_file = |path: &std::path::Path| path.is_file();
        let found = if self.program.components().count() > 1 {
            is_file(&self.program)
        } else {
            std::env::var_os("PATH").is_some_and(|paths| {
                std::env::split_paths(&paths).any(|dir| is_file(&dir.join(&self.program)))
            })
        };
        if found {
            Ok(())
        } else {
            Err(BadCommand::NotFound(self.program.display().to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_splits_into_words_as_a_shell_would() {
        let program =
            Program::from_command_line(r#"python3 -u 'my client.py' --name "a b" c\ d"#).unwrap();
        assert_eq!(program.program, PathBuf::from("python3"));
        assert_eq!(program.args, ["-u", "my client.py", "--name", "a b", "c d"]);
        assert_eq!(program.current_dir, None);
    }

    #[test]
    fn an_empty_or_unclosed_command_is_refused_with_the_fix() {
        assert_eq!(Program::from_command_line("  "), Err(BadCommand::Empty));
        let err = Program::from_command_line("python3 'client.py").unwrap_err();
        assert_eq!(err, BadCommand::Unsplittable("python3 'client.py".into()));
        assert!(err.to_string().contains("a quote is not closed"), "{err}");
        assert!(BadCommand::Empty.to_string().contains("--client"));
    }

    #[test]
    fn a_program_is_looked_for_as_a_path_or_on_path() {
        assert_eq!(
            Program::from_command_line("sh -c true")
                .unwrap()
                .check_found(),
            Ok(())
        );
        let missing = Program::from_command_line("no-such-waitbench-client --x").unwrap();
        assert_eq!(
            missing.check_found().unwrap_err().to_string(),
            "the client program \"no-such-waitbench-client\" is not found on PATH; give its \
             path, or put it on PATH"
        );
        let path = Program::from_command_line("./nowhere/client.py").unwrap();
        assert_eq!(
            path.check_found(),
            Err(BadCommand::NotFound("./nowhere/client.py".into()))
        );
    }
}
